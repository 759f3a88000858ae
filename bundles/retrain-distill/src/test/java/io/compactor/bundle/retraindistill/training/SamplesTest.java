package io.compactor.bundle.retraindistill.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.compactor.onnx.fixtures.TestModels;
import io.compactor.onnx.npy.Npy;
import io.compactor.onnx.runtime.Dataset;
import io.compactor.onnx.tensor.Tensor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer's view of the SPI's training data is the files' samples, by index; the held-out split is disjoint
 * and repeatable. (Reading and checking the files is the platform's: {@code SampleFilesTest} in platform/onnx.)
 */
class SamplesTest {
  @TempDir Path dir;

  @Test
  void batchesAreTheFilesSamplesAndTheSplitIsDisjointAndRepeatable() {
    Tensor images = TestModels.images(4, 20);
    Npy.write(dir.resolve("image.npy"), images);
    long[] ids = new long[20];
    Arrays.setAll(ids, i -> i % 3);
    Npy.write(dir.resolve(Dataset.LABELS), Tensor.ofInt64s(new long[] {20}, ids));
    Samples data = TrainingForms.samples(dir, TestModels.residualCnn(3, false));
    assertEquals(20, data.size());
    assertEquals(Tensor.concat(List.of(images.slice(7, 8), images.slice(2, 3))),
        data.inputs(new int[] {7, 2}).get("image"));
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
