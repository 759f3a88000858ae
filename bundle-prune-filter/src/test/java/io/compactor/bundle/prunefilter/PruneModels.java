package io.compactor.bundle.prunefilter;

import static io.compactor.onnx.fixtures.TestModels.gaussian;
import static io.compactor.onnx.fixtures.TestModels.node;

import io.compactor.api.FilterPruneKeys;
import io.compactor.api.LayerTask;
import io.compactor.api.Settings;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.graph.ValueInfo;
import io.compactor.onnx.runtime.Dataset;
import io.compactor.onnx.tensor.ElementType;
import io.compactor.onnx.tensor.Tensor;
import io.compactor.retrain.fixtures.LayerModels;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Models built in code for the filter-pruning tests, with data and tasks. */
final class PruneModels {
  /** The producers of {@link #residual}, in topological order. */
  static final List<String> RESIDUAL_PRODUCERS = List.of("c1", "c2", "c3", "c4", "fc");
  private static final long[] PADS = {1, 1, 1, 1};

  private PruneModels() {}

  /**
   * {@code x [N,3,8,8]} → c1 (Conv 3→8, bias) → bn → Relu → [c2 (8→8) → Relu → c3 (8→8, bias)] + residual
   * Add → Relu → dw (depthwise 3x3, group 8, bias) → Clip → c4 (1x1, 8→12) → Relu → GlobalAveragePool →
   * Flatten → fc (Gemm 12→5, transB) → y.
   */
  static OnnxModel residual(long seed) {
    Random r = new Random(seed);
    OnnxModel m = OnnxModel.create("residual", 13);
    Graph g = m.graph();
    g.addInput(ValueInfo.of("x", ElementType.FLOAT, ValueInfo.UNKNOWN_DIM, 3, 8, 8));
    g.setInitializer("c1.w", gaussian(r, 0.4f, 8, 3, 3, 3));
    g.setInitializer("c1.b", gaussian(r, 0.1f, 8));
    node(g, "Conv", "c1", List.of("x", "c1.w", "c1.b"), "c1.out", n -> n.setAttr("pads", PADS));
    g.setInitializer("bn.scale", positive(r, 8));
    g.setInitializer("bn.bias", gaussian(r, 0.1f, 8));
    g.setInitializer("bn.mean", gaussian(r, 0.1f, 8));
    g.setInitializer("bn.var", positive(r, 8));
    node(g, "BatchNormalization", "bn", List.of("c1.out", "bn.scale", "bn.bias", "bn.mean", "bn.var"), "bn.out",
        n -> {});
    node(g, "Relu", "r1", List.of("bn.out"), "r1.out", n -> {});
    g.setInitializer("c2.w", gaussian(r, 0.3f, 8, 8, 3, 3));
    node(g, "Conv", "c2", List.of("r1.out", "c2.w"), "c2.out", n -> n.setAttr("pads", PADS));
    node(g, "Relu", "r2", List.of("c2.out"), "r2.out", n -> {});
    g.setInitializer("c3.w", gaussian(r, 0.3f, 8, 8, 3, 3));
    g.setInitializer("c3.b", gaussian(r, 0.1f, 8));
    node(g, "Conv", "c3", List.of("r2.out", "c3.w", "c3.b"), "c3.out", n -> n.setAttr("pads", PADS));
    node(g, "Add", "res", List.of("r1.out", "c3.out"), "res.out", n -> {});
    node(g, "Relu", "r3", List.of("res.out"), "r3.out", n -> {});
    g.setInitializer("dw.w", gaussian(r, 0.4f, 8, 1, 3, 3));
    g.setInitializer("dw.b", gaussian(r, 0.1f, 8));
    node(g, "Conv", "dw", List.of("r3.out", "dw.w", "dw.b"), "dw.out", n -> {
      n.setAttr("pads", PADS);
      n.setAttr("group", 8L);
    });
    g.setInitializer("clip.min", Tensor.scalar(0f));
    g.setInitializer("clip.max", Tensor.scalar(6f));
    node(g, "Clip", "r4", List.of("dw.out", "clip.min", "clip.max"), "r4.out", n -> {});
    g.setInitializer("c4.w", gaussian(r, 0.4f, 12, 8, 1, 1));
    node(g, "Conv", "c4", List.of("r4.out", "c4.w"), "c4.out", n -> {});
    node(g, "Relu", "r5", List.of("c4.out"), "r5.out", n -> {});
    node(g, "GlobalAveragePool", "gap", List.of("r5.out"), "gap.out", n -> {});
    node(g, "Flatten", "flat", List.of("gap.out"), "flat.out", n -> n.setAttr("axis", 1L));
    g.setInitializer("fc.w", gaussian(r, 0.5f, 5, 12));
    g.setInitializer("fc.b", gaussian(r, 0.1f, 5));
    node(g, "Gemm", "fc", List.of("flat.out", "fc.w", "fc.b"), "y", n -> n.setAttr("transB", 1L));
    g.addOutput(ValueInfo.of("y", ElementType.FLOAT, ValueInfo.UNKNOWN_DIM, 5));
    return m;
  }

  /**
   * {@code x [N,4,4,4]} → a (Conv 4→6) → Relu, b (Conv 4→10) → Relu, Concat on channels (16) → c (Conv 16→8,
   * bias) → Relu → Flatten (8 × 16) → fc (Gemm 128→3, no transB) → y.
   */
  static OnnxModel concat(long seed) {
    Random r = new Random(seed);
    OnnxModel m = OnnxModel.create("concat", 13);
    Graph g = m.graph();
    g.addInput(ValueInfo.of("x", ElementType.FLOAT, ValueInfo.UNKNOWN_DIM, 4, 4, 4));
    g.setInitializer("a.w", gaussian(r, 0.4f, 6, 4, 3, 3));
    node(g, "Conv", "a", List.of("x", "a.w"), "a.out", n -> n.setAttr("pads", PADS));
    node(g, "Relu", "ra", List.of("a.out"), "ra.out", n -> {});
    g.setInitializer("b.w", gaussian(r, 0.4f, 10, 4, 1, 1));
    g.setInitializer("b.b", gaussian(r, 0.1f, 10));
    node(g, "Conv", "b", List.of("x", "b.w", "b.b"), "b.out", n -> {});
    node(g, "Relu", "rb", List.of("b.out"), "rb.out", n -> {});
    node(g, "Concat", "cat", List.of("ra.out", "rb.out"), "cat.out", n -> n.setAttr("axis", 1L));
    g.setInitializer("c.w", gaussian(r, 0.3f, 8, 16, 3, 3));
    g.setInitializer("c.b", gaussian(r, 0.1f, 8));
    node(g, "Conv", "c", List.of("cat.out", "c.w", "c.b"), "c.out", n -> n.setAttr("pads", PADS));
    node(g, "Relu", "rc", List.of("c.out"), "rc.out", n -> {});
    node(g, "Flatten", "flat", List.of("rc.out"), "flat.out", n -> {});
    g.setInitializer("fc.w", gaussian(r, 0.2f, 128, 3));
    node(g, "Gemm", "fc", List.of("flat.out", "fc.w"), "y", n -> {});
    g.addOutput(ValueInfo.named("y"));
    return m;
  }

  /** {@code x [N,4,6,6]} → a (Conv 4→8) → {@code op} → b (Conv 8→4) → y: {@code op} decides a's fate. */
  static OnnxModel through(long seed, String op) {
    Random r = new Random(seed);
    OnnxModel m = OnnxModel.create("through-" + op, 13);
    Graph g = m.graph();
    g.addInput(ValueInfo.of("x", ElementType.FLOAT, ValueInfo.UNKNOWN_DIM, 4, 6, 6));
    g.setInitializer("a.w", gaussian(r, 0.4f, 8, 4, 3, 3));
    node(g, "Conv", "a", List.of("x", "a.w"), "a.out", n -> n.setAttr("pads", PADS));
    node(g, op, "mid", List.of("a.out"), "mid.out", n -> {
      if (op.equals("LRN")) {
        n.setAttr("size", 3L);
      }
    });
    g.setInitializer("b.w", gaussian(r, 0.4f, 4, 8, 3, 3));
    node(g, "Conv", "b", List.of("mid.out", "b.w"), "y", n -> n.setAttr("pads", PADS));
    g.addOutput(ValueInfo.named("y"));
    return m;
  }

  /** {@code x [N,4,6,6]} → a (Conv 4→8, bias) → Relu → gc (Conv 8→6, group 2, bias) → y. */
  static OnnxModel grouped(long seed) {
    Random r = new Random(seed);
    OnnxModel m = OnnxModel.create("grouped", 13);
    Graph g = m.graph();
    g.addInput(ValueInfo.of("x", ElementType.FLOAT, ValueInfo.UNKNOWN_DIM, 4, 6, 6));
    g.setInitializer("a.w", gaussian(r, 0.4f, 8, 4, 3, 3));
    g.setInitializer("a.b", gaussian(r, 0.1f, 8));
    node(g, "Conv", "a", List.of("x", "a.w", "a.b"), "a.out", n -> n.setAttr("pads", PADS));
    node(g, "Relu", "ra", List.of("a.out"), "ra.out", n -> {});
    g.setInitializer("gc.w", gaussian(r, 0.4f, 6, 4, 3, 3));
    g.setInitializer("gc.b", gaussian(r, 0.1f, 6));
    node(g, "Conv", "gc", List.of("ra.out", "gc.w", "gc.b"), "y", n -> {
      n.setAttr("pads", PADS);
      n.setAttr("group", 2L);
    });
    g.addOutput(ValueInfo.named("y"));
    return m;
  }

  /**
   * {@code x [N,5,8]} → m1 (MatMul 8→16) → Add bias → Relu → m2 (MatMul 16→8) → Add bias → y: a transformer
   * feed-forward block.
   */
  static OnnxModel feedForward(long seed) {
    Random r = new Random(seed);
    OnnxModel m = OnnxModel.create("ffn", 13);
    Graph g = m.graph();
    g.addInput(ValueInfo.of("x", ElementType.FLOAT, ValueInfo.UNKNOWN_DIM, 5, 8));
    g.setInitializer("m1.w", gaussian(r, 0.4f, 8, 16));
    node(g, "MatMul", "m1", List.of("x", "m1.w"), "m1.out", n -> {});
    g.setInitializer("m1.b", gaussian(r, 0.1f, 16));
    node(g, "Add", "m1.add", List.of("m1.out", "m1.b"), "h", n -> {});
    node(g, "Relu", "act", List.of("h"), "act.out", n -> {});
    g.setInitializer("m2.w", gaussian(r, 0.4f, 16, 8));
    node(g, "MatMul", "m2", List.of("act.out", "m2.w"), "m2.out", n -> {});
    g.setInitializer("m2.b", gaussian(r, 0.1f, 8));
    node(g, "Add", "m2.add", List.of("m2.out", "m2.b"), "y", n -> {});
    g.addOutput(ValueInfo.named("y"));
    return m;
  }

  /**
   * {@code x [N,4,8,8]} → a (Conv 4→8) → Relu → squeeze-excitation (GlobalAveragePool → s1 (1x1, 8→4) → Relu →
   * s2 (1x1, 4→8) → HardSigmoid → Mul with the Relu output) → b (Conv 8→8, stride 2) → Resize ×2 → Add with the
   * SE output → up (ConvTranspose 8→2, 2x2, stride 2) → y [N,2,16,16]: the shapes of a detector's neck.
   */
  static OnnxModel detectorLike(long seed) {
    Random r = new Random(seed);
    OnnxModel m = OnnxModel.create("detector-like", 13);
    Graph g = m.graph();
    g.addInput(ValueInfo.of("x", ElementType.FLOAT, ValueInfo.UNKNOWN_DIM, 4, 8, 8));
    g.setInitializer("a.w", gaussian(r, 0.4f, 8, 4, 3, 3));
    node(g, "Conv", "a", List.of("x", "a.w"), "a.out", n -> n.setAttr("pads", PADS));
    node(g, "Relu", "ra", List.of("a.out"), "ra.out", n -> {});
    node(g, "GlobalAveragePool", "squeeze", List.of("ra.out"), "sq.out", n -> {});
    g.setInitializer("s1.w", gaussian(r, 0.4f, 4, 8, 1, 1));
    g.setInitializer("s1.b", gaussian(r, 0.1f, 4));
    node(g, "Conv", "s1", List.of("sq.out", "s1.w", "s1.b"), "s1.out", n -> {});
    node(g, "Relu", "rs", List.of("s1.out"), "rs.out", n -> {});
    g.setInitializer("s2.w", gaussian(r, 0.4f, 8, 4, 1, 1));
    g.setInitializer("s2.b", gaussian(r, 0.1f, 8));
    node(g, "Conv", "s2", List.of("rs.out", "s2.w", "s2.b"), "s2.out", n -> {});
    node(g, "HardSigmoid", "gate", List.of("s2.out"), "gate.out", n -> {});
    node(g, "Mul", "excite", List.of("ra.out", "gate.out"), "se.out", n -> {});
    g.setInitializer("b.w", gaussian(r, 0.3f, 8, 8, 3, 3));
    node(g, "Conv", "b", List.of("se.out", "b.w"), "b.out", n -> {
      n.setAttr("pads", PADS);
      n.setAttr("strides", new long[] {2, 2});
    });
    g.setInitializer("scales", Tensor.ofFloats(new long[] {4}, 1f, 1f, 2f, 2f));
    node(g, "Resize", "up2", List.of("b.out", "", "scales"), "up2.out", n -> n.setAttr("mode", "nearest"));
    node(g, "Add", "fuse", List.of("se.out", "up2.out"), "fuse.out", n -> {});
    g.setInitializer("up.w", gaussian(r, 0.3f, 8, 2, 2, 2));
    node(g, "ConvTranspose", "up", List.of("fuse.out", "up.w"), "y", n -> n.setAttr("strides", new long[] {2, 2}));
    g.addOutput(ValueInfo.named("y"));
    return m;
  }

  /**
   * {@code x [N,5,8]} → m1 (MatMul 8→16) → Add → Relu → m2 (MatMul 16→16) → Add → Relu → m3 (MatMul 16→4) → y:
   * m2 both reads pruned features and has its own pruned.
   */
  static OnnxModel mlp(long seed) {
    Random r = new Random(seed);
    OnnxModel m = OnnxModel.create("mlp", 13);
    Graph g = m.graph();
    g.addInput(ValueInfo.of("x", ElementType.FLOAT, ValueInfo.UNKNOWN_DIM, 5, 8));
    String in = "x";
    int[] widths = {8, 16, 16};
    for (int i = 1; i <= 2; i++) {
      g.setInitializer("m" + i + ".w", gaussian(r, 0.4f, widths[i - 1], widths[i]));
      node(g, "MatMul", "m" + i, List.of(in, "m" + i + ".w"), "m" + i + ".out", n -> {});
      g.setInitializer("m" + i + ".b", gaussian(r, 0.1f, widths[i]));
      node(g, "Add", "m" + i + ".add", List.of("m" + i + ".out", "m" + i + ".b"), "h" + i, n -> {});
      node(g, "Relu", "act" + i, List.of("h" + i), "a" + i, n -> {});
      in = "a" + i;
    }
    g.setInitializer("m3.w", gaussian(r, 0.4f, 16, 4));
    node(g, "MatMul", "m3", List.of(in, "m3.w"), "y", n -> {});
    g.addOutput(ValueInfo.named("y"));
    return m;
  }

  /** @return {@code n} samples of {@code shape} (without the sample axis) with correlated channels */
  static Dataset data(long seed, int n, long... shape) {
    long[] full = new long[shape.length + 1];
    full[0] = n;
    System.arraycopy(shape, 0, full, 1, shape.length);
    return LayerModels.data(LayerModels.correlated(seed, full));
  }

  /** @return tasks for {@code nodes} with {@code prune_ratio} and {@code ascend_optimized} */
  static List<LayerTask> tasks(OnnxModel model, List<String> nodes, double ratio, boolean ascend) {
    return nodes.stream().map(n -> new LayerTask(n, model.graph().node(n).orElseThrow().opType(),
        new Settings(Map.of(FilterPruneKeys.PRUNE_RATIO.name(), ratio,
            FilterPruneKeys.ASCEND_OPTIMIZED.name(), ascend))))
        .toList();
  }

  private static Tensor positive(Random r, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = 0.5f + r.nextFloat();
    }
    return Tensor.ofFloats(new long[] {n}, v);
  }
}
