package io.compactor.bundle.quantint8;

import static io.compactor.onnx.fixtures.TestModels.gaussian;
import static io.compactor.onnx.fixtures.TestModels.node;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.api.StepResult;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.graph.ValueInfo;
import io.compactor.onnx.runtime.Dataset;
import io.compactor.onnx.runtime.Evaluation;
import io.compactor.onnx.runtime.ModelSession;
import io.compactor.onnx.tensor.ElementType;
import io.compactor.onnx.tensor.Tensor;
import io.compactor.retrain.fixtures.LayerModels;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Equalizing the attention context (the input of the output projection) folds its division into the value
 * projection's columns, the way it reaches the context through Reshape, Transpose and {@code P·V}; a chain that
 * moves channels elsewhere keeps the explicit Mul.
 */
class ColumnFoldTest {
  private static final int HEADS = 2;
  private static final int DIM = 8;
  private static final int WIDTH = HEADS * DIM;
  private static final int TOKENS = 6;
  /** The value projection's column that makes the context's outlier channel. */
  private static final int OUTLIER = 3;
  @TempDir
  Path work;

  /**
   * Self-attention over {@code x [N,6,16]} with two heads: q, k, v projections (v with a bias and a Shape
   * reader), scores {@code q·kᵀ}, Softmax, context {@code P·V}, heads merged back, output projection o → y. With
   * {@code mixHeads} the merge transposes to {@code [N,6,8,2]}, so context channel {@code c} is no longer value
   * column {@code c}.
   */
  static OnnxModel attention(long seed, boolean mixHeads) {
    Random r = new Random(seed);
    OnnxModel m = OnnxModel.create("attention", 13);
    Graph g = m.graph();
    g.addInput(ValueInfo.of("x", ElementType.FLOAT, ValueInfo.UNKNOWN_DIM, TOKENS, WIDTH));
    g.setInitializer("split", Tensor.ofInt64s(new long[] {4}, new long[] {-1, TOKENS, HEADS, DIM}));
    g.setInitializer("merge", Tensor.ofInt64s(new long[] {3}, new long[] {-1, TOKENS, WIDTH}));
    for (String p : List.of("q", "k", "v")) {
      Tensor w = gaussian(r, 0.3f, WIDTH, WIDTH);
      if (p.equals("v")) {
        float[] v = w.floats();
        for (int i = OUTLIER; i < v.length; i += WIDTH) {
          v[i] *= 40;
        }
        w = Tensor.ofFloats(w.shape(), v);
      }
      g.setInitializer(p + ".w", w);
      node(g, "MatMul", p, List.of("x", p + ".w"), p + ".mm", n -> {});
      String projected = p + ".mm";
      if (p.equals("v")) {
        g.setInitializer("v.b", gaussian(r, 0.1f, WIDTH));
        node(g, "Add", "v.add", List.of("v.mm", "v.b"), "v.out", n -> {});
        node(g, "Shape", "v.shape", List.of("v.out"), "v.dims", n -> {}); // as exporters compute reshape targets
        projected = "v.out";
      }
      node(g, "Reshape", p + ".split", List.of(projected, "split"), p + ".heads", n -> {});
      long[] perm = p.equals("k") ? new long[] {0, 2, 3, 1} : new long[] {0, 2, 1, 3};
      node(g, "Transpose", p + ".t", List.of(p + ".heads"), p + ".ht", n -> n.setAttr("perm", perm));
    }
    node(g, "MatMul", "scores", List.of("q.ht", "k.ht"), "scores.out", n -> {});
    node(g, "Softmax", "softmax", List.of("scores.out"), "probs", n -> n.setAttr("axis", -1L));
    node(g, "MatMul", "context", List.of("probs", "v.ht"), "context.heads", n -> {});
    long[] back = mixHeads ? new long[] {0, 2, 3, 1} : new long[] {0, 2, 1, 3};
    node(g, "Transpose", "context.t", List.of("context.heads"), "context.ht", n -> n.setAttr("perm", back));
    node(g, "Reshape", "context.merge", List.of("context.ht", "merge"), "ctx", n -> {});
    g.setInitializer("o.w", gaussian(r, 0.3f, WIDTH, 8));
    node(g, "MatMul", "o", List.of("ctx", "o.w"), "y", n -> {});
    g.addOutput(ValueInfo.named("y"));
    g.addOutput(ValueInfo.named("v.dims"));
    return m;
  }

  static Dataset data(long seed, int n) {
    return LayerModels.data(gaussian(new Random(seed), 1f, n, TOKENS, WIDTH));
  }

  private static Tensor output(OnnxModel m, Dataset data) {
    try (ModelSession s = ModelSession.open(m)) {
      return Evaluation.runAll(s, data, 16).get("y");
    }
  }

  private static float[] run(OnnxModel m, Dataset data) {
    return output(m, data).toFloats();
  }

  /** Equalizes the context for the dynamically quantized o; @return the chosen α */
  private static double equalizeContext(OnnxModel m, Dataset data, Predicate<String> columnsFree) {
    Node o = m.graph().node("o").orElseThrow();
    Map<String, Equalization.Chosen> chosen = Equalization.apply(m,
        List.of(new Equalization.Group("ctx", List.of(o), true, true)), data, 16, n -> true, columnsFree);
    return chosen.get("ctx").alpha();
  }

  private static boolean explicitMul(OnnxModel m) {
    return m.graph().nodes().stream().anyMatch(n -> n.opType().equals("Mul") && n.name().endsWith("_smooth"));
  }

  private static void assertSameOutputs(float[] expected, float[] actual) {
    float max = 0;
    for (float v : expected) {
      max = Math.max(max, Math.abs(v));
    }
    assertArrayEquals(expected, actual, 1e-5f * max, "equalization must leave the float model's outputs as they were");
  }

  @Test
  void theContextsDivisionGoesIntoTheValueProjectionsColumnsAndBias() {
    Dataset data = data(1, 32);
    OnnxModel m = attention(2, false);
    float[] before = run(m, data);
    float[] bias = m.graph().initializer("v.b").orElseThrow().floats();
    assertTrue(equalizeContext(m, data, n -> true) > 0, "the outlier channel makes equalization pay");
    assertFalse(explicitMul(m), "folded into v, no Mul left");
    float[] folded = m.graph().initializer("v.b").orElseThrow().floats();
    assertTrue(Math.abs(folded[OUTLIER]) < Math.abs(bias[OUTLIER]), "the outlier column's bias is divided");
    assertSameOutputs(before, run(m, data));
  }

  @Test
  void aMergeThatMovesChannelsKeepsTheExplicitMulAndTheValueProjection() {
    Dataset data = data(3, 32);
    OnnxModel m = attention(4, true);
    float[] before = run(m, data);
    Tensor w = m.graph().initializer("v.w").orElseThrow();
    assertTrue(equalizeContext(m, data, n -> true) > 0);
    assertTrue(explicitMul(m), "calibration data shows context channel c is not value column c");
    assertArrayEquals(w.floats(), m.graph().initializer("v.w").orElseThrow().floats(), 1e-6f, "v restored");
    assertSameOutputs(before, run(m, data));
  }

  @Test
  void aFoldThatDoesNotHoldLeavesTheContextUnequalizedWhenNoExplicitMulIsAllowed() {
    Dataset data = data(3, 32);
    OnnxModel m = attention(4, true);
    float[] before = run(m, data);
    Tensor v = m.graph().initializer("v.w").orElseThrow();
    Tensor o = m.graph().initializer("o.w").orElseThrow();
    Node layer = m.graph().node("o").orElseThrow();
    Equalization.Chosen chosen = Equalization.apply(m, List.of(new Equalization.Group("ctx", List.of(layer), true,
        false)), data, 16, n -> true, n -> true).get("ctx");
    assertEquals(Equalization.Division.NONE, chosen.division());
    assertEquals(0.0, chosen.alpha());
    assertFalse(explicitMul(m), "equalization: folded");
    assertArrayEquals(v.floats(), m.graph().initializer("v.w").orElseThrow().floats(), 1e-6f, "v restored");
    assertArrayEquals(o.floats(), m.graph().initializer("o.w").orElseThrow().floats(), 1e-5f, "o's rows back");
    assertSameOutputs(before, run(m, data));
  }

  @Test
  void aProducerWhoseColumnsShareOneQuantizationScaleIsNotFolded() {
    Dataset data = data(5, 32);
    OnnxModel m = attention(6, false);
    float[] before = run(m, data);
    assertTrue(equalizeContext(m, data, n -> !n.equals("v")) > 0);
    assertTrue(explicitMul(m), "v is per-tensor: scaling its columns would change its quantization");
    assertSameOutputs(before, run(m, data));
  }

  @Test
  void theStepWithDynamicProjectionsExportsNoMulForTheContext() {
    Dataset data = data(7, 48);
    OnnxModel m = attention(8, false);
    OnnxModel fp32 = m.copy();
    StepResult r = new QuantInt8Method().apply(Int8Models.context(m, List.of("q", "k", "v", "o"),
        Map.of("activation_quant", "dynamic"), data, work));
    double alpha = (double) r.layers().stream().filter(l -> l.node().equals("o")).findFirst().orElseThrow().metrics()
        .get("equalization_alpha");
    assertTrue(alpha > 0, "the context is equalized");
    OnnxModel deploy = Int8Models.deploy(r);
    assertTrue(deploy.graph().node("ctx_smooth").isEmpty(), "the context's division is in v's columns");
    assertTrue(Evaluation.fidelity(output(fp32, data), output(deploy, data)).meanCosine() > 0.99);
  }
}
