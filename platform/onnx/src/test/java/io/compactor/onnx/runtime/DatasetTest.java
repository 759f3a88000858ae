package io.compactor.onnx.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.onnx.DataException;
import io.compactor.onnx.fixtures.TestModels;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.npy.Npy;
import io.compactor.onnx.tensor.Tensor;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Data that would fail far from its cause (NaN ranges, NaN quality, silent misses) is refused on load, naming the file. */
class DatasetTest {
  @TempDir Path dir;
  private OnnxModel model;
  private Tensor images;

  @BeforeEach
  void data() {
    model = TestModels.residualCnn(41, false); // output 'logits' scores 3 classes
    images = TestModels.images(42, 4);
  }

  private DataException refused() {
    return assertThrows(DataException.class, () -> Dataset.fromDirectory(dir, model));
  }

  @Test
  void aNanOrInfiniteSampleIsRefusedNamingTheFileAndTheSample() {
    float[] v = images.floats();
    int perSample = v.length / 4;
    v[2 * perSample + 5] = Float.NaN;
    Npy.write(dir.resolve("image.npy"), Tensor.ofFloats(images.shape(), v));
    DataException nan = refused();
    assertEquals(dir.resolve("image.npy").toString(), nan.source());
    assertTrue(nan.getMessage().contains("holds NaN at sample 2"), nan.getMessage());
    v[2 * perSample + 5] = 0;
    v[0] = Float.NEGATIVE_INFINITY;
    Npy.write(dir.resolve("image.npy"), Tensor.ofFloats(images.shape(), v));
    assertTrue(refused().getMessage().contains("holds -Infinity at sample 0"));
  }

  @Test
  void floatLabelsAreRefusedNamingLabelsNpy() {
    Npy.write(dir.resolve("image.npy"), images);
    Npy.write(dir.resolve("labels.npy"), Tensor.ofFloats(new long[] {4}, 0, 1, 2, 1));
    DataException e = refused();
    assertEquals(dir.resolve("labels.npy").toString(), e.source());
    assertTrue(e.getMessage().contains("labels must be integer class ids"), e.getMessage());
  }

  @Test
  void outOfRangeLabelsAreRefusedSayingHowManyClassesTheModelScores() {
    Npy.write(dir.resolve("image.npy"), images);
    Npy.write(dir.resolve("labels.npy"), Tensor.ofInt64s(new long[] {4}, 0, 1, 3, 2));
    DataException high = refused();
    assertEquals(dir.resolve("labels.npy").toString(), high.source());
    assertTrue(high.getMessage().contains("class id 3 at sample 2 is out of range; model output 'logits' scores 3 "
        + "classes (0..2)"), high.getMessage());
    Npy.write(dir.resolve("labels.npy"), Tensor.ofInt64s(new long[] {4}, 0, -1, 1, 2));
    assertTrue(refused().getMessage().contains("class id -1 at sample 1 is out of range"));
    Npy.write(dir.resolve("labels.npy"), Tensor.ofInt64s(new long[] {4}, 0, 1, 2, 2));
    assertEquals(4, Dataset.fromDirectory(dir, model).size(), "ids 0..2 are fine");
  }
}
