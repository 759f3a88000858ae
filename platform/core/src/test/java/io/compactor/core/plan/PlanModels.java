package io.compactor.core.plan;

import static io.compactor.onnx.fixtures.TestModels.gaussian;
import static io.compactor.onnx.fixtures.TestModels.node;
import static io.compactor.onnx.fixtures.TestModels.weight;

import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.graph.ValueInfo;
import io.compactor.onnx.tensor.ElementType;
import java.util.List;
import java.util.Random;

/** Models built in code for planning tests. */
public final class PlanModels {
  private PlanModels() {}

  /** Compressible operators of {@link #zoo}, in topological order. */
  static final List<String> ZOO_COMPRESSIBLE =
      List.of("stem", "rgb_conv", "dw", "pw", "up", "fc1", "proj", "head", "seq_conv");

  /**
   * One of every kind of operator the planner must tell apart, weights as initializers:
   * <ul>
   *   <li>{@code stem}: Conv 16→32, 3x3 (Cin 16)
   *   <li>{@code rgb_conv}: Conv 3→32, 3x3 (Cin 3: not a multiple of 4), added to stem
   *   <li>{@code dw}: depthwise Conv, group 32
   *   <li>{@code pw}: Conv 32→32, 1x1
   *   <li>{@code up}: ConvTranspose 32→16, 2x2 stride 2
   *   <li>{@code fc1}: Gemm 16→64, transB = 1
   *   <li>{@code proj}: MatMul with a constant [64, 32] weight
   *   <li>{@code gram}: MatMul of two activations (not compressible)
   *   <li>{@code head}: Gemm 32→10, transB = 1
   *   <li>{@code seq_conv}: Conv1d 8→16 on a second input
   * </ul>
   */
  public static OnnxModel zoo(boolean weightsInConstants) {
    Random r = new Random(7);
    boolean c = weightsInConstants;
    OnnxModel model = OnnxModel.create("zoo", 13);
    Graph g = model.graph();
    g.addInput(ValueInfo.of("image", ElementType.FLOAT, ValueInfo.UNKNOWN_DIM, 16, 8, 8));
    g.addInput(ValueInfo.of("rgb", ElementType.FLOAT, ValueInfo.UNKNOWN_DIM, 3, 8, 8));
    g.addInput(ValueInfo.of("seq", ElementType.FLOAT, ValueInfo.UNKNOWN_DIM, 8, 10));
    long[] pads = {1, 1, 1, 1};
    weight(g, c, "stem.w", gaussian(r, 0.1f, 32, 16, 3, 3));
    node(g, "Conv", "stem", List.of("image", "stem.w"), "stem.out", n -> n.setAttr("pads", pads));
    weight(g, c, "rgb.w", gaussian(r, 0.1f, 32, 3, 3, 3));
    node(g, "Conv", "rgb_conv", List.of("rgb", "rgb.w"), "rgb.out", n -> n.setAttr("pads", pads));
    node(g, "Add", "merge", List.of("stem.out", "rgb.out"), "merge.out", n -> {});
    node(g, "Relu", "relu", List.of("merge.out"), "relu.out", n -> {});
    weight(g, c, "dw.w", gaussian(r, 0.1f, 32, 1, 3, 3));
    node(g, "Conv", "dw", List.of("relu.out", "dw.w"), "dw.out", n -> {
      n.setAttr("pads", pads);
      n.setAttr("group", 32L);
    });
    weight(g, c, "pw.w", gaussian(r, 0.1f, 32, 32, 1, 1));
    node(g, "Conv", "pw", List.of("dw.out", "pw.w"), "pw.out", n -> {});
    weight(g, c, "up.w", gaussian(r, 0.1f, 32, 16, 2, 2));
    node(g, "ConvTranspose", "up", List.of("pw.out", "up.w"), "up.out", n -> n.setAttr("strides", new long[] {2, 2}));
    node(g, "GlobalAveragePool", "gap", List.of("up.out"), "gap.out", n -> {});
    node(g, "Flatten", "flat", List.of("gap.out"), "flat.out", n -> n.setAttr("axis", 1L));
    weight(g, c, "fc1.w", gaussian(r, 0.1f, 64, 16));
    node(g, "Gemm", "fc1", List.of("flat.out", "fc1.w"), "fc1.out", n -> n.setAttr("transB", 1L));
    weight(g, c, "proj.w", gaussian(r, 0.1f, 64, 32));
    node(g, "MatMul", "proj", List.of("fc1.out", "proj.w"), "proj.out", n -> {});
    node(g, "Transpose", "proj_t", List.of("proj.out"), "proj_t.out", n -> {});
    node(g, "MatMul", "gram", List.of("proj.out", "proj_t.out"), "gram.out", n -> {});
    weight(g, c, "head.w", gaussian(r, 0.1f, 10, 32));
    node(g, "Gemm", "head", List.of("proj.out", "head.w"), "logits", n -> n.setAttr("transB", 1L));
    weight(g, c, "seq.w", gaussian(r, 0.1f, 16, 8, 3));
    node(g, "Conv", "seq_conv", List.of("seq", "seq.w"), "seq.out", n -> {});
    g.addOutput(ValueInfo.of("logits", ElementType.FLOAT, ValueInfo.UNKNOWN_DIM, 10));
    g.addOutput(ValueInfo.of("gram.out", ElementType.FLOAT, ValueInfo.UNKNOWN_DIM, ValueInfo.UNKNOWN_DIM));
    g.addOutput(ValueInfo.of("seq.out", ElementType.FLOAT, ValueInfo.UNKNOWN_DIM, 16, 8));
    g.check();
    return model;
  }
}
