package io.compactor.onnx.npy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.onnx.DataException;
import io.compactor.onnx.tensor.ElementType;
import io.compactor.onnx.tensor.Tensor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class NpyTest {
  @TempDir Path dir;

  static Tensor sample(ElementType type, long... shape) {
    byte[] data = new byte[Math.toIntExact(Tensor.elementCount(shape)) * type.bytes()];
    new Random(type.ordinal()).nextBytes(data);
    if (type == ElementType.FLOAT || type == ElementType.DOUBLE) {
      return switch (type) {
        case FLOAT -> Tensor.ofFloats(shape, gaussianFloats(data.length / 4));
        default -> Tensor.ofDoubles(shape, Stream.generate(new Random(5)::nextGaussian)
            .limit(data.length / 8).mapToDouble(Double::doubleValue).toArray());
      };
    }
    return Tensor.of(type, shape, data);
  }

  private static float[] gaussianFloats(int n) {
    Random r = new Random(9);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return v;
  }

  @ParameterizedTest
  @EnumSource(ElementType.class)
  void roundTripsEverySupportedType(ElementType type) {
    for (long[] shape : new long[][] {{}, {7}, {3, 4}, {2, 1, 3, 5}, {0, 3}}) {
      Tensor t = sample(type, shape);
      Path file = dir.resolve(type + "-" + shape.length + ".npy");
      Npy.write(file, t);
      Tensor back = Npy.read(file);
      assertEquals(t, back, type + Arrays.toString(shape));
    }
  }

  @Test
  void headerIsAlignedAsNumpyWritesIt() {
    byte[] bytes = Npy.toBytes(Tensor.ofFloats(new long[] {2, 3}, new float[6]));
    int headerLength = (bytes[8] & 0xff) | (bytes[9] & 0xff) << 8;
    assertEquals(0, (10 + headerLength) % 64);
    String header = new String(bytes, 10, headerLength, StandardCharsets.ISO_8859_1);
    assertTrue(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"), header);
    assertTrue(header.endsWith("\n"));
    assertTrue(new String(Npy.toBytes(Tensor.ofInt64s(new long[] {4}, new long[4])), 10, 60,
        StandardCharsets.ISO_8859_1).contains("'shape': (4,)"));
  }

  @Test
  void readsVersionTwoHeaders() {
    byte[] v1 = Npy.toBytes(Tensor.ofInt32s(new long[] {2}, 5, -6));
    int headerLength = (v1[8] & 0xff) | (v1[9] & 0xff) << 8;
    byte[] v2 = new byte[v1.length + 2];
    System.arraycopy(v1, 0, v2, 0, 6);
    v2[6] = 2;
    v2[8] = (byte) headerLength;
    v2[9] = (byte) (headerLength >> 8);
    System.arraycopy(v1, 10, v2, 12, v1.length - 10);
    assertArrayEquals(new int[] {5, -6}, Npy.read(v2, "v2.npy").int32s());
  }

  @Test
  void truncatedFileNamesTheFileAndTheSizes() throws Exception {
    byte[] bytes = Npy.toBytes(Tensor.ofFloats(new long[] {10, 10}, new float[100]));
    Path file = dir.resolve("cut.npy");
    Files.write(file, Arrays.copyOf(bytes, bytes.length - 8));
    DataException e = assertThrows(DataException.class, () -> Npy.read(file));
    assertTrue(e.getMessage().startsWith(file.toString()) && e.getMessage().contains("truncated")
        && e.getMessage().contains("needs 400"), e.getMessage());
  }

  @Test
  void unsupportedDtypesAreRefusedWithTheSupportedList() {
    for (String descr : new String[] {"<f2", ">f4", "|O", "<c8", "|b1"}) {
      byte[] bytes = Npy.toBytes(Tensor.ofFloats(new long[] {1}, 1f));
      String header = new String(bytes, 10, bytes.length - 14, StandardCharsets.ISO_8859_1)
          .replace("'<f4'", "'" + descr + "'" + " ".repeat(3 - descr.length() + 0).substring(0, Math.max(0, 3 - descr.length())));
      System.arraycopy(header.getBytes(StandardCharsets.ISO_8859_1), 0, bytes, 10, header.length());
      DataException e = assertThrows(DataException.class, () -> Npy.read(bytes, "odd.npy"), descr);
      assertTrue(e.getMessage().contains("unsupported dtype") && e.getMessage().contains("float32"), e.getMessage());
    }
  }

  @Test
  void fortranOrderIsRefused() {
    byte[] bytes = Npy.toBytes(Tensor.ofFloats(new long[] {2, 2}, new float[4]));
    String header = new String(bytes, 10, 54, StandardCharsets.ISO_8859_1).replace("False", "True ");
    System.arraycopy(header.getBytes(StandardCharsets.ISO_8859_1), 0, bytes, 10, header.length());
    DataException e = assertThrows(DataException.class, () -> Npy.read(bytes, "f.npy"));
    assertTrue(e.getMessage().contains("Fortran"), e.getMessage());
  }

  @Test
  void notAnNpyFile() {
    DataException e = assertThrows(DataException.class,
        () -> Npy.read("hello".getBytes(StandardCharsets.UTF_8), "hello.txt"));
    assertTrue(e.getMessage().startsWith("hello.txt: not a .npy file"), e.getMessage());
  }

  @Test
  void missingFile() {
    DataException e = assertThrows(DataException.class, () -> Npy.read(dir.resolve("gone.npy")));
    assertTrue(e.getMessage().contains("gone.npy: no such file"), e.getMessage());
  }
}
