package io.compactor.retrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.onnx.fixtures.TestModels;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.graph.ValueInfo;
import io.compactor.onnx.runtime.Dataset;
import io.compactor.onnx.runtime.ModelSession;
import io.compactor.onnx.tensor.Tensor;
import io.compactor.retrain.fixtures.LayerModels;
import io.compactor.retrain.internal.GramOps;
import io.compactor.retrain.internal.RowSources;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LayerCaptureTest {
  /** Float32 activations summed in double: agreement with a direct computation. */
  private static final double RELATIVE_TOLERANCE = 1e-6;

  private static LinearLayer view(OnnxModel model, String node) {
    Graph g = model.graph();
    return LinearLayer.of(model.source(), g, g.node(node).orElseThrow());
  }

  @Test
  void streamedHessianOfConvPatchesEqualsXtXOfAllPatchesAtOnce() {
    OnnxModel model = LayerModels.conv(51, 4, 3, 3, 3, 6, 6, true, n -> n.setAttr("pads", new long[] {1, 1, 1, 1}));
    Tensor x = LayerModels.correlated(52, 7, 4, 6, 6);
    LinearLayer layer = view(model, "conv");
    LayerStatistics s = LayerCapture.statistics(model, model, List.of(layer), LayerModels.data(x), 3).get("conv");
    RowSource rows = layer.inputRows(x);
    float[] all = new float[rows.rows() * rows.cols()];
    rows.fill(0, rows.rows(), all);
    DMatrix expected = Fixtures.gram(all, rows.rows(), rows.cols());
    assertEquals(7 * 36, s.rows());
    double scale = GramOps.meanDiagonal(expected);
    assertTrue(Fixtures.maxAbsDiff(expected, s.gram()) < RELATIVE_TOLERANCE * scale);
  }

  @Test
  void errorFromStatisticsEqualsTheErrorOfTheRewrittenModelInOnnxRuntime() {
    OnnxModel reference = LayerModels.conv(53, 4, 5, 3, 3, 6, 6, true, n -> n.setAttr("strides", new long[] {2, 2}));
    Tensor x = LayerModels.correlated(54, 6, 4, 6, 6);
    Dataset data = LayerModels.data(x);
    OnnxModel candidate = reference.copy("candidate");
    LinearLayer layer = view(candidate, "conv");
    LayerStatistics s = LayerCapture.statistics(candidate, reference, List.of(layer), data, 4).get("conv");
    DMatrix w = layer.weights(candidate.graph());
    double[] b = layer.bias(candidate.graph()).orElseThrow();
    assertTrue(s.relativeError(w, b) < RELATIVE_TOLERANCE, "the unchanged layer has no error");

    Random r = new Random(55);
    for (int i = 0; i < w.data().length; i++) {
      w.data()[i] += 0.05 * r.nextGaussian();
    }
    b[2] += 0.3;
    layer.setWeights(candidate.graph(), w);
    layer.setBias(candidate.graph(), b);
    float[] expected = run(reference, x);
    float[] actual = run(candidate, x);
    double num = 0;
    double den = 0;
    for (int i = 0; i < expected.length; i++) {
      num += (actual[i] - expected[i]) * (double) (actual[i] - expected[i]);
      den += expected[i] * (double) expected[i];
    }
    assertEquals(num / den, s.relativeError(w, b), RELATIVE_TOLERANCE * 10 + 1e-4 * num / den);
  }

  private static float[] run(OnnxModel model, Tensor x) {
    try (ModelSession session = ModelSession.open(model, 1)) {
      return session.run(Map.of("x", x)).get("y").floats();
    }
  }

  @Test
  void layersReadingTheSameRowsShareOneHessian() {
    OnnxModel model = LayerModels.matMulAdd(56, 3, 8, 4);
    TestModels.weight(model.graph(), false, "k.w", TestModels.gaussian(new Random(57), 0.3f, 8, 4));
    TestModels.node(model.graph(), "MatMul", "k", List.of("x", "k.w"), "k.out", n -> {});
    model.graph().addOutput(ValueInfo.named("k.out"));
    Map<String, LayerStatistics> s = LayerCapture.statistics(model, model, List.of(view(model, "proj"), view(model, "k")),
        LayerModels.data(LayerModels.correlated(58, 5, 3, 8)), 2);
    assertSame(s.get("proj").gram(), s.get("k").gram());
    assertEquals(15, s.get("k").rows());
  }

  @Test
  void augmentedStatisticsAppendTheConstantColumn() {
    LayerStatistics s = LayerStatistics.empty("fc", 2, 1);
    float[] x = {1, 2, 3, 4, 5, 6};
    float[] y = {1, 0, 2};
    s.accumulate(RowSources.contiguous(x, 2), RowSources.contiguous(y, 1));
    DMatrix a = s.augmentedGram();
    assertEquals(3, a.get(2, 2));
    assertEquals(1 + 3 + 5, a.get(0, 2));
    assertEquals(2 + 4 + 6, a.get(2, 1));
    assertEquals(35, a.get(0, 0));
    DMatrix c = s.augmentedCross();
    assertEquals(1 + 10, c.get(0, 0));
    assertEquals(3, c.get(2, 0));
    assertEquals(5, s.outputSquares());
  }

  @Test
  void theCrossTermWithoutAFixedBiasIsTheCrossOfTheShiftedTargets() {
    LayerStatistics s = LayerStatistics.empty("fc", 2, 1);
    float[] x = {1, 2, 3, 4, 5, 6};
    s.accumulate(RowSources.contiguous(x, 2), RowSources.contiguous(new float[] {1, 0, 2}, 1));
    LayerStatistics shifted = LayerStatistics.empty("fc", 2, 1);
    shifted.accumulate(RowSources.contiguous(x, 2), RowSources.contiguous(new float[] {1 - 0.5f, -0.5f, 2 - 0.5f}, 1));

    assertEquals(shifted.cross(), s.crossWithoutBias(new double[] {0.5}));
    assertEquals(s.cross(), s.crossWithoutBias(null));
  }

  @Test
  void layersFeedingEachOtherAreInDifferentWaves() {
    OnnxModel mlp = LayerModels.mlp(59, 4, 8, 3);
    assertTrue(LayerCapture.dependsOn(mlp.graph(), view(mlp, "fc2"), view(mlp, "fc1")));
    assertEquals(List.of(List.of("fc1"), List.of("fc2")), SequentialReconstruction.waves(mlp, List.of("fc1", "fc2")));
  }
}
