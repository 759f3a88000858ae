package io.compactor.bundle.quantint8;

import static io.compactor.onnx.fixtures.TestModels.gaussian;
import static io.compactor.onnx.fixtures.TestModels.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deploy form of CNNs: BatchNormalization folded into the Conv before it, and every quantized Conv's
 * output quantized, so that ONNX Runtime runs every quantized Conv as {@code QLinearConv} (checked on the
 * optimized graph ONNX Runtime writes).
 */
class CnnDeployFormTest {
  private static final long[] PADS = {1, 1, 1, 1};
  @TempDir Path work;

  /**
   * {@code x [N,4,8,8]} → c1 (3x3, no bias) → BatchNormalization → Relu → c2 (3x3, bias) →
   * BatchNormalization → hard-swish {@code h · clip(h + 3, 0, 6) / 6} → residual Add with the Relu output → y.
   */
  private static OnnxModel convBnModel(long seed) {
    Random r = new Random(seed);
    OnnxModel m = OnnxModel.create("conv-bn", 9);
    Graph g = m.graph();
    g.addInput(ValueInfo.of("x", ElementType.FLOAT, ValueInfo.UNKNOWN_DIM, 4, 8, 8));
    g.setInitializer("c1.w", gaussian(r, 0.4f, 4, 4, 3, 3));
    node(g, "Conv", "c1", List.of("x", "c1.w"), "c1.out", n -> n.setAttr("pads", PADS));
    batchNorm(g, r, "bn1", "c1.out", "bn1.out");
    node(g, "Relu", "relu", List.of("bn1.out"), "h", n -> {});
    g.setInitializer("c2.w", gaussian(r, 0.4f, 4, 4, 3, 3));
    g.setInitializer("c2.b", gaussian(r, 0.2f, 4));
    node(g, "Conv", "c2", List.of("h", "c2.w", "c2.b"), "c2.out", n -> n.setAttr("pads", PADS));
    batchNorm(g, r, "bn2", "c2.out", "bn2.out");
    g.setInitializer("three", Tensor.scalar(3f));
    g.setInitializer("six", Tensor.scalar(6f));
    node(g, "Add", "hs.add", List.of("bn2.out", "three"), "hs.a", n -> {});
    node(g, "Clip", "hs.clip", List.of("hs.a"), "hs.c", n -> {
      n.setAttr("min", 0f);
      n.setAttr("max", 6f);
    });
    node(g, "Mul", "hs.mul", List.of("bn2.out", "hs.c"), "hs.m", n -> {});
    node(g, "Div", "hs.div", List.of("hs.m", "six"), "hs.out", n -> {});
    node(g, "Add", "residual", List.of("h", "hs.out"), "y", n -> {});
    g.addOutput(ValueInfo.named("y"));
    return m;
  }

  private static void batchNorm(Graph g, Random r, String name, String in, String out) {
    float[] scale = new float[4];
    float[] var = new float[4];
    for (int c = 0; c < 4; c++) {
      scale[c] = 0.5f + r.nextFloat();
      var[c] = 0.2f + r.nextFloat();
    }
    g.setInitializer(name + ".scale", Tensor.ofFloats(new long[] {4}, scale));
    g.setInitializer(name + ".bias", gaussian(r, 0.3f, 4));
    g.setInitializer(name + ".mean", gaussian(r, 0.3f, 4));
    g.setInitializer(name + ".var", Tensor.ofFloats(new long[] {4}, var));
    node(g, "BatchNormalization", name, List.of(in, name + ".scale", name + ".bias", name + ".mean", name + ".var"), out,
        n -> n.setAttr("epsilon", 1e-3f));
  }

  private static Dataset data(long seed) {
    return LayerModels.data(LayerModels.correlated(seed, 32, 4, 8, 8));
  }

  private static Tensor run(OnnxModel m, Dataset data) {
    try (ModelSession s = ModelSession.open(m, 1)) {
      return Evaluation.runAll(s, data, 16).get("y");
    }
  }

  /** @return op-type counts of the graph ONNX Runtime runs after its optimizations */
  private Map<String, Long> ortKernels(OnnxModel model) throws OrtException {
    Path optimized = work.resolve("optimized-" + System.nanoTime() + ".onnx");
    try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
      o.setIntraOpNumThreads(1);
      o.setOptimizedModelFilePath(optimized.toString());
      OrtEnvironment.getEnvironment().createSession(model.toBytes(), o).close();
    }
    return OnnxModel.load(optimized).graph().nodes().stream()
        .collect(Collectors.groupingBy(Node::opType, TreeMap::new, Collectors.counting()));
  }

  @Test
  void foldingBatchNormalizationKeepsTheOutputAndRemovesTheNodes() {
    OnnxModel model = convBnModel(3);
    OnnxModel folded = model.copy();
    assertEquals(2, BatchNormFold.apply(folded.graph()));
    Graph g = folded.graph();
    assertTrue(g.nodes().stream().noneMatch(n -> n.opType().equals("BatchNormalization")));
    assertEquals("bn1.out", g.node("c1").orElseThrow().output(0), "the Conv takes over the BatchNormalization's output");
    assertEquals(3, g.node("c1").orElseThrow().inputs().size(), "a bias is created where the Conv had none");
    Dataset data = data(4);
    float[] expected = run(model, data).floats();
    float[] actual = run(folded, data).floats();
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], 1e-4 * (1 + Math.abs(expected[i])), "output " + i);
    }
  }

  @Test
  void aBatchNormalizationIsNotFoldedWhenSomethingElseReadsTheConvOutput() {
    OnnxModel model = convBnModel(5);
    Graph g = model.graph();
    node(g, "Relu", "tap", List.of("c1.out"), "tap.out", n -> {});
    g.addOutput(ValueInfo.named("tap.out"));
    assertEquals(1, BatchNormFold.apply(g));
    assertEquals("BatchNormalization", g.consumers("c1.out").stream().map(Node::opType).sorted().findFirst()
        .orElseThrow());
    assertTrue(g.node("bn1").isPresent());
    assertTrue(g.node("bn2").isEmpty());
  }

  @Test
  void everyQuantizedConvRunsAsQLinearConvAfterBatchNormFoldingAndOutputQuantization() throws OrtException {
    OnnxModel model = convBnModel(7);
    OnnxModel fp32 = model.copy();
    Dataset data = data(8);
    StepResult r = new QuantInt8Method().apply(Int8Models.context(model, List.of("c1", "c2"), Map.of(), data, work));
    OnnxModel deploy = Int8Models.deploy(r);
    Graph d = deploy.graph();
    assertTrue(d.nodes().stream().noneMatch(n -> n.opType().equals("BatchNormalization")));
    assertEquals(2, ((Number) r.summary().get("batchnorm_folded")).intValue());
    assertEquals(List.of("QuantizeLinear"), d.consumers(d.node("c2").orElseThrow().output(0)).stream()
        .map(Node::opType).toList(), "the hard-swish reads the dequantized Conv output");
    Map<String, Long> kernels = ortKernels(deploy);
    assertEquals(2L, kernels.getOrDefault("QLinearConv", 0L), kernels.toString());
    assertEquals(0L, kernels.getOrDefault("Conv", 0L) + kernels.getOrDefault("FusedConv", 0L), kernels.toString());
    assertTrue(Evaluation.fidelity(run(fp32, data), run(deploy, data)).meanCosine() > 0.99);
    var twin = Evaluation.fidelity(run(model, data), run(deploy, data));
    assertTrue(twin.meanCosine() > 0.999, "deploy vs fake-quant (a rounding flip moves a value by one step) " + twin);
  }

  @Test
  void withoutFoldingAndOutputQuantizationTheConvsStayFloat() throws OrtException {
    OnnxModel model = convBnModel(7);
    QuantOptions off = QuantOptions.DEFAULTS.withFoldBatchNorm(false).withQuantizeConvOutputs(false);
    StepResult r = new QuantInt8Method(off).apply(Int8Models.context(model, List.of("c1", "c2"), Map.of(), data(8),
        work));
    Map<String, Long> kernels = ortKernels(Int8Models.deploy(r));
    assertEquals(0L, kernels.getOrDefault("QLinearConv", 0L), kernels.toString());
    assertEquals(2L, kernels.getOrDefault("BatchNormalization", 0L), kernels.toString());
  }
}
