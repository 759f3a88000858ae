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
import java.util.Map;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluationTest {
  private static final double EPS = 1e-9;
  @TempDir Path dir;

  @Test
  void top1AccuracyCountsArgmaxHits() {
    Tensor logits = Tensor.ofFloats(new long[] {4, 3}, 0, 1, 0, 5, 0, 0, 0, 0, 9, 1, 2, 3);
    Tensor labels = Tensor.ofInt64s(new long[] {4}, 1, 0, 2, 0);
    assertEquals(0.75, Evaluation.top1Accuracy(logits, labels), EPS);
  }

  @Test
  void fidelityOfIdenticalAndOppositeOutputs() {
    Tensor a = Tensor.ofFloats(new long[] {2, 2}, 1, 2, 3, 4);
    Fidelity same = Evaluation.fidelity(a, a);
    assertEquals(1, same.meanCosine(), EPS);
    assertEquals(0, same.maxAbsError(), EPS);
    Fidelity flipped = Evaluation.fidelity(a, Tensor.ofFloats(new long[] {2, 2}, 1, 2, -3, -4));
    assertEquals(0, flipped.meanCosine(), EPS);
    assertEquals(-1, flipped.worstCosine(), EPS);
    assertEquals(0.5, flipped.top1Agreement(), EPS);
    assertEquals(8, flipped.maxAbsError(), EPS);
  }

  @Test
  void outputFidelityComparesTheFirstOutputsOfTwoModelsOnTheSameData() {
    OnnxModel model = TestModels.residualCnn(35, false);
    Dataset data = new Dataset("images", Map.of("image", TestModels.images(36, 5)), null);
    Fidelity same = Evaluation.outputFidelity(model, model, data, 2);
    assertEquals(1, same.worstCosine(), EPS);
    assertEquals(0, same.maxAbsError(), 0);
    Fidelity other = Evaluation.outputFidelity(model, TestModels.residualCnn(37, false), data, 2);
    assertTrue(other.maxAbsError() > 0 && other.worstCosine() < 1, other.toString());
  }

  @Test
  void datasetFromDirectoryFeedsTheModelAndScoresLabels() {
    OnnxModel model = TestModels.residualCnn(31, false);
    Tensor images = TestModels.images(32, 6);
    Tensor logits;
    try (ModelSession s = ModelSession.open(model, 1)) {
      logits = s.run(Map.of("image", images)).get("logits");
    }
    long[] labels = new long[6];
    float[] v = logits.floats();
    for (int i = 0; i < 6; i++) {
      int best = 0;
      for (int j = 1; j < 3; j++) {
        best = v[i * 3 + j] > v[i * 3 + best] ? j : best;
      }
      labels[i] = i < 3 ? best : (best + 1) % 3;
    }
    Npy.write(dir.resolve("image.npy"), images);
    Npy.write(dir.resolve("labels.npy"), Tensor.ofInt64s(new long[] {6}, labels));
    Dataset data = Dataset.fromDirectory(dir, model);
    assertEquals(6, data.size());
    try (ModelSession s = ModelSession.open(model, 1)) {
      Tensor all = Evaluation.runAll(s, data, 4).get("logits");
      assertEquals(0.5, Evaluation.top1Accuracy(all, data.labels().orElseThrow()), EPS);
      Latency latency = Evaluation.latency(s, data.batch(0, 2), 1, 3);
      assertEquals(3, latency.runs());
      assertTrue(latency.minMillis() <= latency.medianMillis());
    }
  }

  @Test
  void modelsTimedInTurnsGetOneLatencyEachInTheirOrder() {
    Dataset data = new Dataset("test images", Map.of("image", TestModels.images(3, 4)), null);
    try (ModelSession small = ModelSession.open(TestModels.residualCnn(31, false), 1);
        ModelSession other = ModelSession.open(TestModels.residualCnn(32, true), 1)) {
      List<Latency> l = Evaluation.latencies(List.of(small, other), data.batch(0, 2), 1, 5);
      assertEquals(2, l.size());
      for (Latency each : l) {
        assertEquals(5, each.runs());
        assertEquals(2, each.batchSize());
        assertTrue(each.minMillis() > 0 && each.minMillis() <= each.medianMillis(), each.toString());
      }
      assertThrows(IllegalArgumentException.class, () -> Evaluation.latencies(List.of(small), data.batch(0, 2), 0, 0));
    }
  }

  @Test
  void missingInputFileNamesTheExpectedFile() {
    DataException e = assertThrows(DataException.class,
        () -> Dataset.fromDirectory(dir, TestModels.residualCnn(33, false)));
    assertTrue(e.getMessage().contains("missing image.npy"), e.getMessage());
  }

  @Test
  void wrongShapeOrTypeIsExplained() {
    Npy.write(dir.resolve("image.npy"), Tensor.ofFloats(new long[] {2, 1, 4, 4}, new float[32]));
    DataException shape = assertThrows(DataException.class,
        () -> Dataset.fromDirectory(dir, TestModels.residualCnn(34, false)));
    assertTrue(shape.getMessage().contains("does not fit model input"), shape.getMessage());
    Npy.write(dir.resolve("image.npy"), Tensor.ofInt64s(new long[] {1, 1, 8, 8}, new long[64]));
    DataException type = assertThrows(DataException.class,
        () -> Dataset.fromDirectory(dir, TestModels.residualCnn(34, false)));
    assertTrue(type.getMessage().contains("holds INT64 but model input image is FLOAT"), type.getMessage());
  }
}
