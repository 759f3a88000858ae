package io.compactor.bundle.retraindistill.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.onnx.DataException;
import io.compactor.onnx.fixtures.TestModels;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.npy.Npy;
import io.compactor.onnx.runtime.Dataset;
import io.compactor.onnx.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Batches stream from the files as they are; bad training data is refused naming the file. */
class TrainingDataTest {
  private static final OnnxModel MODEL = TestModels.residualCnn(3, false);
  @TempDir Path dir;

  @Test
  void batchesAreTheFilesSamplesAndTheSplitIsDisjointAndRepeatable() {
    Tensor images = TestModels.images(4, 20);
    Npy.write(dir.resolve("image.npy"), images);
    long[] ids = new long[20];
    Arrays.setAll(ids, i -> i % 3);
    Npy.write(dir.resolve(Dataset.LABELS), Tensor.ofInt64s(new long[] {20}, ids));
    try (TrainingData data = TrainingData.open(dir, MODEL)) {
      assertEquals(20, data.size());
      assertTrue(data.hasLabels());
      Tensor batch = data.inputs(new int[] {7, 2}).get("image");
      assertEquals(Tensor.concat(java.util.List.of(images.slice(7, 8), images.slice(2, 3))), batch);
      assertArrayEquals(new long[] {1, 2}, data.labels(new int[] {7, 2}).orElseThrow().toLongs());
      int[][] split = Samples.split(data.size(), 0.25, new TrainingSeed(3));
      assertEquals(15, split[0].length);
      assertEquals(5, split[1].length);
      Set<Integer> all = new HashSet<>();
      Arrays.stream(split[0]).forEach(all::add);
      Arrays.stream(split[1]).forEach(all::add);
      assertEquals(20, all.size());
      assertArrayEquals(split[1], Samples.split(data.size(), 0.25, new TrainingSeed(3))[1]);
    }
  }

  @Test
  void missingInputFileIsNamed() {
    DataException e = assertThrows(DataException.class, () -> TrainingData.open(dir, MODEL));
    assertTrue(e.getMessage().contains("missing image.npy"), e.getMessage());
  }

  @Test
  void wrongShapeIsNamed() {
    Npy.write(dir.resolve("image.npy"), Tensor.ofFloats(new long[] {2, 1, 4, 4}, new float[32]));
    assertNamed("image.npy", "does not fit model input");
  }

  @Test
  void nanIsNamedWithItsSample() {
    float[] v = TestModels.images(4, 3).floats();
    v[64 + 5] = Float.NaN;
    Npy.write(dir.resolve("image.npy"), Tensor.ofFloats(new long[] {3, 1, 8, 8}, v));
    assertNamed("image.npy", "NaN at sample 1");
  }

  @Test
  void emptyFileIsNamed() {
    Npy.write(dir.resolve("image.npy"), Tensor.ofFloats(new long[] {0, 1, 8, 8}));
    assertNamed("image.npy", "holds no samples");
  }

  @Test
  void labelsOfTheWrongLengthAreNamed() {
    Npy.write(dir.resolve("image.npy"), TestModels.images(4, 5));
    Npy.write(dir.resolve(Dataset.LABELS), Tensor.ofInt64s(new long[] {4}, 0, 1, 2, 0));
    assertNamed(Dataset.LABELS, "one class id per sample, shape [5]");
  }

  @Test
  void labelsOutOfRangeAreNamed() {
    Npy.write(dir.resolve("image.npy"), TestModels.images(4, 2));
    Npy.write(dir.resolve(Dataset.LABELS), Tensor.ofInt64s(new long[] {2}, 0, 3));
    assertNamed(Dataset.LABELS, "class id 3 at sample 1");
  }

  @Test
  void notADirectoryIsNamed() throws Exception {
    Path file = Files.writeString(dir.resolve("plain.txt"), "x");
    DataException e = assertThrows(DataException.class, () -> TrainingData.open(file, MODEL));
    assertTrue(e.getMessage().contains("plain.txt") && e.getMessage().contains("not a directory"), e.getMessage());
  }

  private void assertNamed(String file, String problem) {
    DataException e = assertThrows(DataException.class, () -> TrainingData.open(dir, MODEL));
    assertTrue(e.getMessage().contains(dir.resolve(file).toString()) && e.getMessage().contains(problem),
        e.getMessage());
  }
}
