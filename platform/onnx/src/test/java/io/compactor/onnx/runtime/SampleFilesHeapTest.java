package io.compactor.onnx.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.graph.ValueInfo;
import io.compactor.onnx.tensor.ElementType;
import io.compactor.onnx.tensor.Tensor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A data directory larger than the heap: a JVM with {@value #HEAP} of heap reads all of {@value #MEGABYTES} MB
 * of samples by index, in shuffled batches, through {@link SampleFiles}; the same JVM loading the directory
 * whole ({@link Dataset#fromDirectory}) runs out of memory, which shows the budget is real.
 */
class SampleFilesHeapTest {
  private static final String HEAP = "-Xmx24m";
  private static final int WIDTH = 4096;
  private static final int MEGABYTES = 48;
  private static final int SAMPLES = MEGABYTES * (1 << 20) / (WIDTH * Float.BYTES);
  @TempDir Path dir;

  @Test
  void aDirectoryLargerThanTheHeapIsReadBatchByBatch() throws Exception {
    writeSamples(dir.resolve("x.npy"));
    double expected = 0;
    for (int s = 0; s < SAMPLES; s++) {
      for (int j = 0; j < WIDTH; j++) {
        expected += value(s, j);
      }
    }

    Result streamed = child("stream");
    assertEquals(0, streamed.exit, streamed.output);
    assertTrue(streamed.output.contains("sum " + expected), "expected sum " + expected + ": " + streamed.output);

    Result loaded = child("load");
    assertNotEquals(0, loaded.exit, loaded.output);
    assertTrue(loaded.output.contains("OutOfMemoryError"), loaded.output);
  }

  /** Element {@code j} of sample {@code s}: integers and halves, so float sums in any order are exact. */
  static float value(int s, int j) {
    return (s % 13) + (j % 7) * 0.5f;
  }

  static OnnxModel model() {
    OnnxModel model = OnnxModel.create("identity", 13);
    Graph g = model.graph();
    g.addInput(ValueInfo.of("x", ElementType.FLOAT, ValueInfo.UNKNOWN_DIM, WIDTH));
    g.addNode(Node.create("Identity", "id", List.of("x"), List.of("y")));
    g.addOutput(ValueInfo.of("y", ElementType.FLOAT, ValueInfo.UNKNOWN_DIM, WIDTH));
    return model;
  }

  /** Writes {@code x.npy} sample by sample, never holding the whole array (numpy format 1.0). */
  private static void writeSamples(Path file) throws IOException {
    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + SAMPLES + ", " + WIDTH + "), }";
    int pad = 64 - (10 + dict.length() + 1) % 64;
    String header = dict + " ".repeat(pad % 64) + "\n";
    ByteBuffer row = ByteBuffer.allocate(WIDTH * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
      out.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
      out.write(ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) header.length()).array());
      out.write(header.getBytes(StandardCharsets.ISO_8859_1));
      for (int s = 0; s < SAMPLES; s++) {
        row.clear();
        for (int j = 0; j < WIDTH; j++) {
          row.putFloat(value(s, j));
        }
        out.write(row.array());
      }
    }
  }

  private record Result(int exit, String output) {}

  private Result child(String mode) throws Exception {
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        HEAP, "-cp", classpath, Child.class.getName(), mode, dir.toString()));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child " + mode + " did not finish: " + output);
    return new Result(p.exitValue(), output);
  }

  /** The small-heap JVM: {@code stream DIR} sums every sample in shuffled batches; {@code load DIR} loads it all. */
  public static final class Child {
    private Child() {}

    public static void main(String[] args) {
      Path dir = Path.of(args[1]);
      if (args[0].equals("load")) {
        System.out.println("loaded " + Dataset.fromDirectory(dir, model()).size());
        return;
      }
      try (SampleFiles files = SampleFiles.open(dir, model())) {
        int[] order = new int[files.size()];
        for (int i = 0; i < order.length; i++) {
          order[i] = i;
        }
        Random r = new Random(1);
        for (int i = order.length - 1; i > 0; i--) {
          int k = r.nextInt(i + 1);
          int t = order[i];
          order[i] = order[k];
          order[k] = t;
        }
        double sum = 0;
        for (int from = 0; from < order.length; from += 64) {
          int[] batch = java.util.Arrays.copyOfRange(order, from, Math.min(order.length, from + 64));
          Map<String, Tensor> feed = files.inputs(batch);
          float[] v = feed.get("x").floats();
          for (int b = 0; b < batch.length; b++) {
            if (v[b * WIDTH + 3] != value(batch[b], 3)) {
              throw new AssertionError("sample " + batch[b] + " read as " + v[b * WIDTH + 3]);
            }
          }
          for (float f : v) {
            sum += f;
          }
        }
        System.out.println("heap " + Runtime.getRuntime().maxMemory() + " samples " + files.size() + " sum " + sum);
      }
    }
  }
}
