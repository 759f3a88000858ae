package io.compactor.onnx.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.onnx.DataException;
import io.compactor.onnx.fixtures.TestModels;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.npy.Npy;
import io.compactor.onnx.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Samples read by index are the files' samples; every kind of bad data directory is refused naming the file and
 * what is wrong (the catalogue a training or calibration directory is checked against).
 */
class SampleFilesTest {
  private static final OnnxModel MODEL = TestModels.residualCnn(3, false);
  @TempDir Path dir;

  @Test
  void samplesByIndexAreTheFilesSamplesAndLoadGivesTheSameData() {
    Tensor images = TestModels.images(4, 20);
    Npy.write(dir.resolve("image.npy"), images);
    long[] ids = new long[20];
    Arrays.setAll(ids, i -> i % 3);
    Npy.write(dir.resolve(Dataset.LABELS), Tensor.ofInt64s(new long[] {20}, ids));
    try (SampleFiles data = SampleFiles.open(dir, MODEL)) {
      assertEquals(20, data.size());
      assertEquals(List.of("image"), data.inputNames());
      assertTrue(data.hasLabels());
      Tensor batch = data.inputs(new int[] {7, 2, 7}).get("image");
      assertEquals(Tensor.concat(List.of(images.slice(7, 8), images.slice(2, 3), images.slice(7, 8))), batch);
      assertArrayEquals(new long[] {1, 2, 1}, data.labels(new int[] {7, 2, 7}).orElseThrow().toLongs());
      assertThrows(IndexOutOfBoundsException.class, () -> data.inputs(new int[] {20}));
    }
    Dataset loaded = Dataset.fromDirectory(dir, MODEL);
    assertEquals(images, loaded.batch(0, 20).get("image"));
    assertArrayEquals(ids, loaded.labels().orElseThrow().toLongs());
  }

  @Test
  void withoutLabelsThereAreNone() {
    Npy.write(dir.resolve("image.npy"), TestModels.images(4, 3));
    try (SampleFiles data = SampleFiles.open(dir, MODEL)) {
      assertFalse(data.hasLabels());
      assertTrue(data.labels(new int[] {0}).isEmpty());
    }
  }

  @Test
  void aMissingInputFileIsNamedWithTheModelsInputs() {
    DataException e = assertThrows(DataException.class, () -> SampleFiles.open(dir, MODEL));
    assertEquals(dir.toString(), e.source());
    assertTrue(e.getMessage().contains("missing image.npy for model input image"), e.getMessage());
  }

  @Test
  void aWrongShapeIsNamed() {
    Npy.write(dir.resolve("image.npy"), Tensor.ofFloats(new long[] {2, 1, 4, 4}, new float[32]));
    assertNamed("image.npy", "shape [2, 1, 4, 4] does not fit model input");
  }

  @Test
  void aWrongElementTypeIsNamed() {
    Npy.write(dir.resolve("image.npy"), Tensor.ofDoubles(new long[] {1, 1, 8, 8}, new double[64]));
    assertNamed("image.npy", "holds DOUBLE but model input image is FLOAT");
  }

  @Test
  void nanAndInfinityAreNamedWithTheirSample() {
    float[] v = TestModels.images(4, 3).floats();
    v[64 + 5] = Float.NaN;
    Npy.write(dir.resolve("image.npy"), Tensor.ofFloats(new long[] {3, 1, 8, 8}, v));
    assertNamed("image.npy", "holds NaN at sample 1");
    v[64 + 5] = 0;
    v[2 * 64] = Float.NEGATIVE_INFINITY;
    Npy.write(dir.resolve("image.npy"), Tensor.ofFloats(new long[] {3, 1, 8, 8}, v));
    assertNamed("image.npy", "holds -Infinity at sample 2");
  }

  @Test
  void anEmptyFileIsNamed() {
    Npy.write(dir.resolve("image.npy"), Tensor.ofFloats(new long[] {0, 1, 8, 8}));
    assertNamed("image.npy", "holds no samples");
  }

  @Test
  void aTruncatedFileIsNamed() throws Exception {
    Npy.write(dir.resolve("image.npy"), TestModels.images(4, 3));
    byte[] bytes = Files.readAllBytes(dir.resolve("image.npy"));
    Files.write(dir.resolve("image.npy"), Arrays.copyOf(bytes, bytes.length - 10));
    assertNamed("image.npy", "truncated");
  }

  @Test
  void labelsOfTheWrongLengthAreNamed() {
    Npy.write(dir.resolve("image.npy"), TestModels.images(4, 5));
    Npy.write(dir.resolve(Dataset.LABELS), Tensor.ofInt64s(new long[] {4}, 0, 1, 2, 0));
    assertNamed(Dataset.LABELS, "one class id per sample, shape [5], got [4]");
  }

  @Test
  void floatOrOutOfRangeLabelsAreNamed() {
    Npy.write(dir.resolve("image.npy"), TestModels.images(4, 2));
    Npy.write(dir.resolve(Dataset.LABELS), Tensor.ofFloats(new long[] {2}, 0, 1));
    assertNamed(Dataset.LABELS, "labels must be integer class ids");
    Npy.write(dir.resolve(Dataset.LABELS), Tensor.ofInt64s(new long[] {2}, 0, 3));
    assertNamed(Dataset.LABELS, "class id 3 at sample 1 is out of range; model output 'logits' scores 3 classes");
  }

  @Test
  void notADirectoryIsNamed() throws Exception {
    Path file = Files.writeString(dir.resolve("plain.txt"), "x");
    DataException e = assertThrows(DataException.class, () -> SampleFiles.open(file, MODEL));
    assertTrue(e.getMessage().contains("plain.txt") && e.getMessage().contains("not a directory"), e.getMessage());
  }

  private void assertNamed(String file, String problem) {
    for (var open : List.<Runnable>of(() -> SampleFiles.open(dir, MODEL).close(),
        () -> Dataset.fromDirectory(dir, MODEL))) {
      DataException e = assertThrows(DataException.class, open::run);
      assertEquals(dir.resolve(file).toString(), e.source(), e.getMessage());
      assertTrue(e.getMessage().contains(problem), e.getMessage());
    }
  }
}
