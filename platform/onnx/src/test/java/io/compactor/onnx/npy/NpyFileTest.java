package io.compactor.onnx.npy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.onnx.DataException;
import io.compactor.onnx.tensor.ElementType;
import io.compactor.onnx.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Samples read by offset agree with the whole file read at once; bad files are refused by name. */
class NpyFileTest {
  @TempDir Path dir;

  @Test
  void samplesByRangeAndByIndexAgreeWithTheWholeArray() {
    for (ElementType type : List.of(ElementType.FLOAT, ElementType.INT64, ElementType.UINT8)) {
      Tensor whole = NpyTest.sample(type, 7, 3, 2);
      Path file = dir.resolve(type + ".npy");
      Npy.write(file, whole);
      try (NpyFile npy = NpyFile.open(file)) {
        assertEquals(type, npy.type());
        assertEquals(7, npy.samples());
        assertArrayEquals(new long[] {7, 3, 2}, npy.shape());
        assertEquals(whole.slice(2, 5), npy.read(2, 5));
        assertEquals(whole, npy.read(0, 7));
        Tensor picked = npy.gather(new int[] {6, 0, 3, 3});
        assertEquals(Tensor.concat(List.of(whole.slice(6, 7), whole.slice(0, 1), whole.slice(3, 4),
            whole.slice(3, 4))), picked);
      }
    }
  }

  @Test
  void refusesMissingTruncatedScalarFilesAndOutOfRangeSamplesNamingTheFile() throws Exception {
    Path missing = dir.resolve("missing.npy");
    DataException e = assertThrows(DataException.class, () -> NpyFile.open(missing));
    assertTrue(e.getMessage().contains("missing.npy") && e.getMessage().contains("no such file"), e.getMessage());

    Path full = dir.resolve("full.npy");
    Npy.write(full, NpyTest.sample(ElementType.FLOAT, 4, 5));
    byte[] bytes = Files.readAllBytes(full);
    Path cut = dir.resolve("cut.npy");
    Files.write(cut, Arrays.copyOf(bytes, bytes.length - 3));
    e = assertThrows(DataException.class, () -> NpyFile.open(cut));
    assertTrue(e.getMessage().contains("cut.npy") && e.getMessage().contains("truncated"), e.getMessage());

    Path scalar = dir.resolve("scalar.npy");
    Npy.write(scalar, Tensor.scalar(1f));
    e = assertThrows(DataException.class, () -> NpyFile.open(scalar));
    assertTrue(e.getMessage().contains("scalar.npy") && e.getMessage().contains("scalar"), e.getMessage());

    try (NpyFile npy = NpyFile.open(full)) {
      IndexOutOfBoundsException o = assertThrows(IndexOutOfBoundsException.class, () -> npy.gather(new int[] {4}));
      assertTrue(o.getMessage().contains("full.npy"), o.getMessage());
    }
  }
}
