package io.compactor.core.tune;

import io.compactor.onnx.fixtures.TestModels;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.graph.ValueInfo;
import io.compactor.onnx.tensor.ElementType;
import io.compactor.onnx.tensor.Tensor;
import java.util.List;
import java.util.Random;

/**
 * A small MLP whose residual sum carries one channel offset by {@link #OUTLIER}, which the last layer does not
 * read: static INT8 of that sum spends its 256 steps on the outlier and rounds every other channel to a few
 * values, so the output is ruined; the same model with that one tensor in float is nearly exact.
 * {@code x [N,16] → Gemm fc1 → Relu (hidden) → Gemm fc2 (+ outlier bias) → Add hidden (residual) → Gemm fc3
 * → logits [N,8]}.
 */
final class OutlierModel {
  static final float OUTLIER = 3000f;
  static final String RESIDUAL = "residual";

  private OutlierModel() {}

  static OnnxModel build(long seed) {
    Random r = new Random(seed);
    OnnxModel model = OnnxModel.create("outlier-mlp", 13);
    Graph g = model.graph();
    g.addInput(ValueInfo.of("x", ElementType.FLOAT, ValueInfo.UNKNOWN_DIM, 16));
    gemm(g, "fc1", "x", TestModels.gaussian(r, 0.3f, 32, 16), TestModels.gaussian(r, 0.1f, 32), "fc1.out");
    TestModels.node(g, "Relu", "relu", List.of("fc1.out"), "hidden", n -> {});
    float[] bias = TestModels.gaussian(r, 0.1f, 32).toFloats();
    bias[0] = OUTLIER;
    gemm(g, "fc2", "hidden", TestModels.gaussian(r, 0.2f, 32, 32), Tensor.ofFloats(new long[] {32}, bias), "fc2.out");
    TestModels.node(g, "Add", "add", List.of("fc2.out", "hidden"), RESIDUAL, n -> {});
    float[] w3 = TestModels.gaussian(r, 0.3f, 8, 32).toFloats();
    for (int o = 0; o < 8; o++) {
      w3[o * 32] = 0;  // the outlier channel reaches nothing
    }
    gemm(g, "fc3", RESIDUAL, Tensor.ofFloats(new long[] {8, 32}, w3), Tensor.ofFloats(new long[] {8}, new float[8]),
        "logits");
    g.addOutput(ValueInfo.of("logits", ElementType.FLOAT, ValueInfo.UNKNOWN_DIM, 8));
    return model;
  }

  /** @return {@code n} input rows, standard normal */
  static Tensor inputs(long seed, int n) {
    return TestModels.gaussian(new Random(seed), 1f, n, 16);
  }

  private static void gemm(Graph g, String name, String input, Tensor w, Tensor b, String output) {
    g.setInitializer(name + ".w", w);
    g.setInitializer(name + ".b", b);
    TestModels.node(g, "Gemm", name, List.of(input, name + ".w", name + ".b"), output, n -> n.setAttr("transB", 1L));
  }
}
