package io.compactor.onnx.npy;

import io.compactor.onnx.DataException;
import io.compactor.onnx.tensor.ElementType;
import io.compactor.onnx.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * A {@code .npy} file read in parts: the header when opened, then any samples (rows of the first axis) by
 * offset, so a file larger than memory can feed a model batch by batch. Same format rules as {@link Npy}. Reads
 * are positional ({@link FileChannel#read(ByteBuffer, long)}), so several threads may read at once; close it.
 */
public final class NpyFile implements AutoCloseable {
  /** Longest header read up front; numpy writes 64 to a few hundred bytes. */
  private static final int HEADER_LIMIT = 65_536;
  private final Path file;
  private final FileChannel channel;
  private final Npy.Header header;
  private final long sampleBytes;

  private NpyFile(Path file, FileChannel channel, Npy.Header header) {
    this.file = file;
    this.channel = channel;
    this.header = header;
    long perSample = 1;
    for (int i = 1; i < header.shape().length; i++) {
      perSample *= header.shape()[i];
    }
    this.sampleBytes = perSample * header.type().bytes();
  }

  /**
   * @param file a {@code .npy} file whose first axis counts samples
   * @return the open file
   * @throws DataException naming the file when it is missing, unreadable, malformed, truncated or a scalar
   */
  public static NpyFile open(Path file) {
    FileChannel channel;
    try {
      channel = FileChannel.open(file, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      throw new DataException(file.toString(), "no such file", e);
    } catch (IOException e) {
      throw new DataException(file.toString(), "cannot read: " + e.getMessage(), e);
    }
    try {
      long length = channel.size();
      ByteBuffer prefix = ByteBuffer.allocate((int) Math.min(length, HEADER_LIMIT));
      readFully(channel, prefix, 0, file);
      Npy.Header header = Npy.header(prefix.array(), length, file.toString());
      if (header.shape().length == 0) {
        throw new DataException(file.toString(), "holds a scalar; the first axis must count samples");
      }
      return new NpyFile(file, channel, header);
    } catch (IOException | RuntimeException e) {
      closeQuietly(channel);
      if (e instanceof DataException d) {
        throw d;
      }
      throw new DataException(file.toString(), "cannot read: " + e.getMessage(), e);
    }
  }

  /** @return the file */
  public Path file() {
    return file;
  }

  /** @return the element type */
  public ElementType type() {
    return header.type();
  }

  /** @return the whole array's shape; the first axis counts samples */
  public long[] shape() {
    return header.shape().clone();
  }

  /** @return the number of samples */
  public long samples() {
    return header.shape()[0];
  }

  /**
   * @param from first sample
   * @param to one past the last sample
   * @return samples {@code [from, to)}, shape {@code [to − from, ...]}
   */
  public Tensor read(long from, long to) {
    if (from < 0 || to > samples() || from > to) {
      throw new IndexOutOfBoundsException(file + ": samples [" + from + ", " + to + ") outside [0, " + samples() + ")");
    }
    ByteBuffer data = ByteBuffer.allocate(Math.toIntExact((to - from) * sampleBytes));
    readAt(data, from);
    return Tensor.of(type(), shapeOf(to - from), data.array());
  }

  /**
   * @param indices the samples to read, in the order wanted (any order, repeats allowed)
   * @return those samples stacked, shape {@code [indices.length, ...]}
   */
  public Tensor gather(int[] indices) {
    ByteBuffer data = ByteBuffer.allocate(Math.toIntExact(indices.length * sampleBytes));
    for (int index : indices) {
      if (index < 0 || index >= samples()) {
        throw new IndexOutOfBoundsException(file + ": sample " + index + " outside [0, " + samples() + ")");
      }
      data.limit(data.position() + (int) sampleBytes);
      readAt(data, index);
    }
    return Tensor.of(type(), shapeOf(indices.length), data.array());
  }

  private long[] shapeOf(long samples) {
    long[] shape = header.shape().clone();
    shape[0] = samples;
    return shape;
  }

  /** Fills {@code into} from its position to its limit, starting at sample {@code sample}. */
  private void readAt(ByteBuffer into, long sample) {
    try {
      readFully(channel, into, header.dataStart() + sample * sampleBytes, file);
    } catch (IOException e) {
      throw new DataException(file.toString(), "cannot read sample " + sample + ": " + e.getMessage(), e);
    }
  }

  private static void readFully(FileChannel channel, ByteBuffer into, long position, Path file) throws IOException {
    long at = position;
    while (into.hasRemaining()) {
      int n = channel.read(into, at);
      if (n < 0) {
        throw new DataException(file.toString(), "ends at byte " + at + " before the data its header declares");
      }
      at += n;
    }
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException ignored) {
      // nothing was read; the open failure is what the caller sees
    }
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      throw new DataException(file.toString(), "cannot close: " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return file + " " + type() + Arrays.toString(header.shape());
  }
}
