package io.compactor.core.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.onnx.fixtures.TestModels;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.graph.ValueInfo;
import io.compactor.onnx.runtime.Dataset;
import io.compactor.onnx.runtime.ModelSession;
import io.compactor.onnx.tensor.ElementType;
import io.compactor.onnx.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which activations static INT8 quantizes, and their cost quantized alone, in real ONNX Runtime sessions. */
class StaticActivationsTest {
  private static final List<Operator> MLP = List.of(op("fc1", "Gemm"), op("fc2", "Gemm"), op("fc3", "Gemm"));

  @Test
  void theInputsOfTheInt8OperatorsAreTheCandidatesEachWithItsRole() {
    OnnxModel m = OutlierModel.build(3);
    List<StaticActivations.Target> t = StaticActivations.of(m.graph(), MLP, List.of());

    assertEquals(List.of("x", "hidden", OutlierModel.RESIDUAL),
        t.stream().map(StaticActivations.Target::tensor).toList());
    assertEquals(List.of("graph input", "Relu output", "residual Add"),
        t.stream().map(StaticActivations.Target::role).toList());
    assertEquals(List.of("fc3"), t.get(2).readers());
    // a tensor the base configuration already keeps float is no candidate
    assertEquals(2, StaticActivations.of(m.graph(), MLP, List.of("hidden")).size());
  }

  @Test
  void aConvOutputReadByAFloatOperatorIsACandidatePastItsBatchNormAndRelu() {
    OnnxModel m = TestModels.residualCnn(5, false);
    List<Operator> ops = List.of(op("conv1", "Conv"), op("conv2", "Conv"), op("fc", "Gemm"));

    List<StaticActivations.Target> t = StaticActivations.of(m.graph(), ops, List.of());

    // conv1's output after its BatchNormalization and Relu is conv2's input: listed once, as conv2's input
    assertEquals(List.of("image", "relu1.out", "flat", "conv2.out"),
        t.stream().map(StaticActivations.Target::tensor).toList());
    assertEquals(List.of("conv2"), t.get(3).readers());
    assertEquals("Conv output", t.get(3).role());
  }

  @Test
  void aDecomposedLayerNormIsNamedAsOne() {
    OnnxModel m = OnnxModel.create("ln", 13);
    Graph g = m.graph();
    g.addInput(ValueInfo.of("x", ElementType.FLOAT, ValueInfo.UNKNOWN_DIM, 4));
    g.setInitializer("eps", Tensor.ofFloats(new long[0], new float[] {1e-5f}));
    g.setInitializer("two", Tensor.ofFloats(new long[0], new float[] {2}));
    g.setInitializer("gamma", Tensor.ofFloats(new long[] {4}, new float[] {1, 1, 1, 1}));
    g.setInitializer("beta", Tensor.ofFloats(new long[] {4}, new float[4]));
    TestModels.node(g, "ReduceMean", "mean", List.of("x"), "mu", n -> n.setAttr("axes", new long[] {-1}));
    TestModels.node(g, "Sub", "sub", List.of("x", "mu"), "d", n -> {});
    TestModels.node(g, "Pow", "pow", List.of("d", "two"), "d2", n -> {});
    TestModels.node(g, "ReduceMean", "var", List.of("d2"), "v", n -> n.setAttr("axes", new long[] {-1}));
    TestModels.node(g, "Add", "addeps", List.of("v", "eps"), "ve", n -> {});
    TestModels.node(g, "Sqrt", "sqrt", List.of("ve"), "sd", n -> {});
    TestModels.node(g, "Div", "div", List.of("d", "sd"), "xn", n -> {});
    TestModels.node(g, "Mul", "scale", List.of("xn", "gamma"), "xs", n -> {});
    TestModels.node(g, "Add", "shift", List.of("xs", "beta"), "ln.out", n -> {});

    assertEquals("LayerNorm output", StaticActivations.role(g, "ln.out"));
    assertEquals("Sub output", StaticActivations.role(g, "d"));
  }

  @Test
  void onMiniLmTheCandidatesAreTheLayerNormAndGeluOutputsAndTheAttentionContext(@TempDir Path dir) {
    OnnxModel m = OnnxModel.load(TestModels.miniLm(dir));
    m.graph().normalizeConstants();
    List<Operator> projections = m.graph().nodes().stream()
        .filter(n -> n.opType().equals("MatMul") && m.graph().hasInitializer(n.input(1)))
        .map(n -> op(n.name(), "MatMul")).toList();

    List<StaticActivations.Target> t = StaticActivations.of(m.graph(), projections, List.of());

    assertEquals(36, projections.size());
    Map<String, Long> roles = t.stream().collect(Collectors.groupingBy(StaticActivations.Target::role,
        Collectors.counting()));
    // Q, K and V share their input; the last layer's output LayerNorm feeds no projection; residual Adds and
    // Softmax inputs feed none either, so the step never quantizes them
    assertEquals(Map.of("LayerNorm output", 12L, "GELU output", 6L, "attention context (Softmax · V)", 6L), roles);
    assertEquals(3, t.stream().filter(x -> x.tensor().equals("/encoder/layer.0/output/LayerNorm/Add_1_output_0"))
        .findFirst().orElseThrow().readers().size());
  }

  @Test
  void theOutlierSumIsTheCostliestActivationByFar() {
    OnnxModel m = OutlierModel.build(3);
    Dataset calib = new Dataset("calib", Map.of("x", OutlierModel.inputs(11, 128)), null);
    Dataset eval = new Dataset("eval", Map.of("x", OutlierModel.inputs(12, 96)), null);

    List<Sensitivity.Activation> a = Sensitivity.activations(m, StaticActivations.of(m.graph(), MLP, List.of()),
        calib, eval, 32, TuneListener.NONE);

    assertEquals(OutlierModel.RESIDUAL, a.get(0).tensor(), a.toString());
    assertTrue(a.get(0).cost() > 0.05, a.toString());
    assertTrue(a.get(0).range().hi() > 0.3 * OutlierModel.OUTLIER, a.get(0).range().toString());
    assertTrue(a.get(0).range().zeroed() > 0.5, "most values round to 0: " + a.get(0).range());
    for (Sensitivity.Activation other : a.subList(1, a.size())) {
      assertTrue(other.cost() < 0.01, other.toString());
      assertTrue(other.range().zeroed() < 0.1, other.toString());
    }
  }

  @Test
  void theStandInQuantizesOnTheGridAndLeavesTheModelAlone() {
    OnnxModel m = OutlierModel.build(3);
    ClipRange.Range range = new ClipRange.Range(-2, 3, 0, 0);
    Tensor x = Tensor.ofFloats(new long[] {1, 16}, new float[] {-5, -1, 0, 0.01f, 0.5f, 1, 2.99f, 7, 0, 0, 0, 0, 0, 0,
        0, 0});
    OnnxModel grid = Sensitivity.fakeQuantized(m, "x", range);
    String mul = "x_standin_out";
    grid.graph().addOutput(ValueInfo.named(mul));
    Map<String, Tensor> out;
    try (ModelSession s = ModelSession.open(grid)) {
      out = s.run(Map.of("x", x));
    }
    float[] q = out.get(mul).toFloats();
    double step = range.scale();
    assertEquals(range.lo(), q[0], 1e-5, "clipped below");
    assertEquals(range.hi(), q[7], 1e-4, "clipped above");
    for (int i = 1; i < 7; i++) {
      double codes = (q[i] - range.lo()) / step;
      assertEquals(Math.rint(codes), codes, 1e-3, "on the grid: " + q[i]);
      assertTrue(Math.abs(q[i] - x.toFloats()[i]) <= step / 2 + 1e-6, i + ": " + q[i]);
    }
    assertEquals(0, q[2], 1e-7, "zero stays exact");
    assertEquals(List.of("fc1"), m.graph().consumers("x").stream().map(n -> n.name()).toList(), "original unchanged");
  }

  private static Operator op(String node, String type) {
    return new Operator(node, type, 100, false, true, true);
  }
}
