package io.compactor.onnx.npy;

import io.compactor.onnx.DataException;
import io.compactor.onnx.tensor.ElementType;
import io.compactor.onnx.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The numpy {@code .npy} format (versions 1.0 to 3.0), C order, for the element types of
 * {@link ElementType}. Anything else (Fortran order, big-endian, object or float16 arrays, a file
 * shorter than its header says) is refused with a message naming the file.
 */
public final class Npy {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
  private static final String SUPPORTED = "float32, float64, int64, int32, int8, uint8";

  private Npy() {}

  /**
   * @param file a {@code .npy} file
   * @return its array
   * @throws DataException when the file is missing, truncated or holds an unsupported array
   */
  public static Tensor read(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new DataException(file.toString(), "no such file", e);
    } catch (IOException e) {
      throw new DataException(file.toString(), "cannot read: " + e.getMessage(), e);
    }
    return read(bytes, file.toString());
  }

  /**
   * @param bytes the contents of a {@code .npy} file
   * @param source the name used in error messages
   * @return the array
   */
  public static Tensor read(byte[] bytes, String source) {
    Header h = header(bytes, bytes.length, source);
    return Tensor.of(h.type(), h.shape(), Arrays.copyOfRange(bytes, h.dataStart(),
        Math.toIntExact(h.dataStart() + h.dataBytes())));
  }

  /**
   * What a {@code .npy} header says, for readers that take the data in parts ({@link NpyFile}).
   *
   * @param type the element type
   * @param shape the array's shape
   * @param dataStart the offset of the first data byte
   */
  record Header(ElementType type, long[] shape, int dataStart) {
    long dataBytes() {
      return Tensor.elementCount(shape) * type.bytes();
    }
  }

  /**
   * @param prefix the file's first bytes: at least its whole header
   * @param fileLength the file's length in bytes, to refuse a file shorter than its header says
   * @param source the name used in error messages
   */
  static Header header(byte[] prefix, long fileLength, String source) {
    if (prefix.length < 10 || !Arrays.equals(prefix, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      throw new DataException(source, "not a .npy file (no \\x93NUMPY magic); save arrays with numpy.save");
    }
    int major = prefix[6];
    ByteBuffer b = ByteBuffer.wrap(prefix).order(ByteOrder.LITTLE_ENDIAN);
    int headerLength;
    int headerStart;
    if (major == 1) {
      headerLength = Short.toUnsignedInt(b.getShort(8));
      headerStart = 10;
    } else if (major == 2 || major == 3) {
      if (prefix.length < 12) {
        throw new DataException(source, "truncated .npy header");
      }
      headerLength = b.getInt(8);
      headerStart = 12;
    } else {
      throw new DataException(source, ".npy format version " + major + " is not supported; use 1.0 to 3.0");
    }
    if (headerLength < 0 || headerStart + headerLength > prefix.length) {
      throw new DataException(source, "truncated .npy header: it claims " + headerLength
          + " bytes, the file has " + (fileLength - headerStart));
    }
    String header = new String(prefix, headerStart, headerLength,
        major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    String descr = group(DESCR, header, source, "descr");
    ElementType type = ElementType.ofNumpy(descr).orElseThrow(() -> new DataException(source,
        "unsupported dtype '" + descr + "'; Compactor reads little-endian " + SUPPORTED));
    if (group(FORTRAN, header, source, "fortran_order").equals("True")) {
      throw new DataException(source, "Fortran-ordered arrays are not supported; save with "
          + "numpy.save(path, numpy.ascontiguousarray(a))");
    }
    long[] shape = parseShape(group(SHAPE, header, source, "shape"), source);
    Header h = new Header(type, shape, headerStart + headerLength);
    long actual = fileLength - h.dataStart();
    if (actual < h.dataBytes()) {
      throw new DataException(source, "truncated: shape " + Arrays.toString(shape) + " of " + descr
          + " needs " + h.dataBytes() + " data bytes, the file has " + actual);
    }
    return h;
  }

  /**
   * @param file where to write; parent directories are created
   * @param tensor the array
   */
  public static void write(Path file, Tensor tensor) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.write(file, toBytes(tensor));
    } catch (IOException e) {
      throw new DataException(file.toString(), "cannot write: " + e.getMessage(), e);
    }
  }

  /** @return the {@code .npy} (version 1.0) encoding of {@code tensor} */
  public static byte[] toBytes(Tensor tensor) {
    long[] shape = tensor.shape();
    StringBuilder dims = new StringBuilder();
    for (long d : shape) {
      dims.append(d).append(", ");
    }
    String shapeText = shape.length == 1 ? dims.substring(0, dims.length() - 1)
        : shape.length == 0 ? "" : dims.substring(0, dims.length() - 2);
    String dict = "{'descr': '" + tensor.type().numpyDescr() + "', 'fortran_order': False, 'shape': ("
        + shapeText + "), }";
    int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1;
    int padding = (64 - unpadded % 64) % 64;
    String header = dict + " ".repeat(padding) + "\n";
    byte[] data = tensor.bytes();
    ByteBuffer out = ByteBuffer.allocate(MAGIC.length + 4 + header.length() + data.length)
        .order(ByteOrder.LITTLE_ENDIAN);
    out.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
    out.put(header.getBytes(StandardCharsets.ISO_8859_1)).put(data);
    return out.array();
  }

  private static String group(Pattern pattern, String header, String source, String key) {
    Matcher m = pattern.matcher(header);
    if (!m.find()) {
      throw new DataException(source, "malformed .npy header: no '" + key + "' in " + header.strip());
    }
    return m.group(1);
  }

  private static long[] parseShape(String text, String source) {
    List<Long> dims = new ArrayList<>();
    for (String part : text.split(",")) {
      String d = part.strip();
      if (d.endsWith("L")) {
        d = d.substring(0, d.length() - 1);
      }
      if (!d.isEmpty()) {
        try {
          dims.add(Long.parseLong(d));
        } catch (NumberFormatException e) {
          throw new DataException(source, "malformed .npy shape (" + text + ")", e);
        }
      }
    }
    return dims.stream().mapToLong(Long::longValue).toArray();
  }
}
