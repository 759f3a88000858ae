package io.compactor.bundle.quantint8;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.api.CompressionMethod;
import io.compactor.api.Eligibility;
import io.compactor.api.LayerResult;
import io.compactor.api.StepCancelledException;
import io.compactor.api.StepException;
import io.compactor.api.StepResult;
import io.compactor.api.testing.CompressionMethodContract;
import io.compactor.api.testing.SimpleStepContext;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.runtime.Dataset;
import io.compactor.onnx.runtime.Evaluation;
import io.compactor.onnx.runtime.Fidelity;
import io.compactor.onnx.runtime.ModelSession;
import io.compactor.onnx.tensor.ElementType;
import io.compactor.onnx.tensor.Tensor;
import io.compactor.retrain.NmPattern;
import io.compactor.retrain.NmPatternCheck;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuantInt8MethodTest extends CompressionMethodContract {
  /** The deploy model, run by ONNX Runtime's INT8 kernels, must follow the fake-quant twin this closely. */
  private static final double DEPLOY_COSINE = 0.9999;
  /** INT8 with retraining must stay this close to the float model on the calibration data. */
  private static final double FIDELITY_COSINE = 0.99;
  private static final Dataset CNN_DATA = Int8Models.cnnData(11, 48);
  @TempDir Path work;

  @Override
  protected CompressionMethod method() {
    return new QuantInt8Method();
  }

  @Override
  protected List<Operator> eligibleOperators() {
    return List.of(
        operator("Conv", new long[] {8, 8, 3, 3}, n -> {}),
        operator("Conv", new long[] {8, 1, 3, 3}, n -> n.setAttr("group", 8L)),
        operator("ConvTranspose", new long[] {8, 4, 3, 3}, n -> {}),
        operator("Gemm", new long[] {4, 8}, n -> n.setAttr("transB", 1L)),
        operator("MatMul", new long[] {8, 4}, n -> {}));
  }

  @Override
  protected List<Operator> ineligibleOperators() {
    return List.of(
        operatorWithRuntimeWeight("MatMul"),
        operatorWithRuntimeWeight("Conv"),
        operator("Gemm", new long[] {8}, n -> {}),
        operator("Gemm", new long[] {8, 4}, n -> n.setAttr("transA", 1L)),
        operator("Relu", new long[] {8, 8}, n -> {}));
  }

  private static Map<String, Object> metrics(StepResult r, String node) {
    return r.layers().stream().filter(l -> l.node().equals(node)).findFirst().orElseThrow().metrics();
  }

  private static Tensor run(OnnxModel m, Dataset data) {
    try (ModelSession s = ModelSession.open(m)) {
      return Evaluation.runAll(s, data, 16).get("y");
    }
  }

  @Test
  void anAlreadyQuantizedWeightIsRefusedWithItsType() {
    Operator op = operator("MatMul", new long[] {8, 4}, n -> {});
    op.model().graph().setInitializer("w", Tensor.ofInt8s(new long[] {8, 4}, new byte[32]));
    Eligibility e = method().eligibility(op.model().graph(), op.op());
    assertEquals("weight w is INT8, not FLOAT; the operator is already quantized or not a float layer", e.reason());
  }

  @Test
  void theDeployModelRunsInOnnxRuntimeWithInt8WeightsAndMatchesItsFakeQuantTwin() {
    OnnxModel model = Int8Models.cnn(12, 13);
    OnnxModel fp32 = model.copy();
    StepResult r = method().apply(Int8Models.context(model, Int8Models.CNN_LAYERS, Map.of(), CNN_DATA, work));
    OnnxModel deploy = Int8Models.deploy(r);
    Graph d = deploy.graph();
    for (String layer : Int8Models.CNN_LAYERS) {
      Node n = d.node(layer).orElseThrow();
      Node dq = d.producer(n.input(1)).orElseThrow();
      assertEquals("DequantizeLinear", dq.opType(), layer);
      assertEquals(ElementType.INT8, d.initializer(dq.input(0)).orElseThrow().type(), layer);
      assertEquals("DequantizeLinear", d.producer(n.input(0)).orElseThrow().opType(), layer + " activation");
      assertEquals("quantized", metrics(r, layer).get("status"));
    }
    assertEquals("INT32", d.initializer(d.producer(d.node("conv1").orElseThrow().input(2)).orElseThrow().input(0))
        .orElseThrow().type().name());
    Tensor twin = run(model, CNN_DATA);
    Tensor deployed = run(deploy, CNN_DATA);
    Fidelity f = Evaluation.fidelity(twin, deployed);
    assertTrue(f.meanCosine() > DEPLOY_COSINE, "deploy vs fake-quant " + f);
    Fidelity toFloat = Evaluation.fidelity(run(fp32, CNN_DATA), twin);
    assertTrue(toFloat.meanCosine() > FIDELITY_COSINE, "fake-quant vs FP32 " + toFloat);
    assertTrue(deploy.toBytes().length < (long) r.summary().get("model_bytes_fakequant"));
    assertTrue(!r.summary().containsKey("model_bytes_deploy"), "apply() builds no deploy model; the export does");
    assertEquals(5L, ((Number) r.summary().get("layers_quantized")).longValue());
  }

  @Test
  void fakeQuantWeightsLieOnTheReportedGridAndPerChannelScalesAreReported() {
    OnnxModel model = Int8Models.cnn(13, 13);
    StepResult r = method().apply(Int8Models.context(model, Int8Models.CNN_LAYERS, Map.of(), CNN_DATA, work));
    float[] w = model.graph().initializer("conv2.w").orElseThrow().floats();
    @SuppressWarnings("unchecked")
    List<Double> scales = (List<Double>) metrics(r, "conv2").get("weight_scales");
    assertEquals(8, scales.size());
    int per = w.length / 8;
    for (int i = 0; i < w.length; i++) {
      double q = w[i] / scales.get(i / per);
      assertEquals(Math.rint(q), q, 1e-3, "conv2.w[" + i + "]");
      assertTrue(Math.abs(q) <= 127.001);
    }
    assertEquals(1, ((List<?>) metrics(r, "fc").get("weight_scales")).size(), "Gemm: per tensor");
  }

  @Test
  void zeroWeightsStayExactlyZeroAndTheTwoOfFourCheckPassesBehindDequantizeLinear() {
    OnnxModel model = Int8Models.cnn(14, 13);
    Graph g = model.graph();
    float[] w = g.initializer("conv2.w").orElseThrow().floats();
    int taps = 9;
    for (int o = 0; o < 8; o++) {
      for (int c = 0; c < 8; c++) {
        if (c % 4 >= 2) {
          for (int t = 0; t < taps; t++) {
            w[(o * 8 + c) * taps + t] = 0;
          }
        }
      }
    }
    g.setInitializer("conv2.w", Tensor.ofFloats(new long[] {8, 8, 3, 3}, w));
    StepResult r = method().apply(Int8Models.context(model, Int8Models.CNN_LAYERS, Map.of(), CNN_DATA, work));
    float[] after = g.initializer("conv2.w").orElseThrow().floats();
    for (int i = 0; i < w.length; i++) {
      if (w[i] == 0) {
        assertEquals(0f, after[i], "conv2.w[" + i + "]");
      }
    }
    NmPatternCheck.require(Int8Models.deploy(r), List.of("conv2"), NmPattern.M4N2);
    NmPatternCheck.require(model, List.of("conv2"), NmPattern.M4N2);
    assertEquals(1, r.summary().get("two_of_four_layers_kept"), "the step proved the pattern on conv2 itself");
  }

  @Test
  void configuredClipRangesAreTheStartingPointAndFixedMinPinsZero() {
    OnnxModel model = Int8Models.block(15);
    Dataset data = Int8Models.blockData(16, 32);
    StepResult r = method().apply(Int8Models.context(model, List.of("q", "gate", "ffn", "out"),
        Map.of("clip_max", 2.0, "clip_min", -2.0), data, work));
    for (String layer : List.of("q", "ffn")) {
      Map<String, Object> m = metrics(r, layer);
      double hi = (double) m.get("clip_max");
      double lo = (double) m.get("clip_min");
      assertTrue(hi >= 1.0 - 1e-9 && hi <= 3.0 + 1e-9, layer + " clip_max " + hi);
      assertTrue(lo <= -1.0 + 1e-9 && lo >= -3.0 - 1e-9, layer + " clip_min " + lo);
    }
    OnnxModel pinned = Int8Models.block(15);
    StepResult p = method().apply(Int8Models.context(pinned, List.of("q", "gate", "ffn", "out"),
        Map.of("fixed_min", true), data, work));
    for (String layer : List.of("q", "ffn", "out")) {
      assertEquals(0.0, (double) metrics(p, layer).get("clip_min"), layer);
      assertEquals(0, metrics(p, layer).get("input_zero_point"), layer);
      assertTrue((double) metrics(p, layer).get("observed_min") < 0, layer + " has negative inputs to clip");
    }
  }

  @Test
  void fixedMinIsAutomaticAfterReluOnly() {
    OnnxModel model = Int8Models.cnn(17, 13);
    StepResult r = method().apply(Int8Models.context(model, Int8Models.CNN_LAYERS, Map.of(), CNN_DATA, work));
    assertEquals(false, metrics(r, "conv1").get("fixed_min"), "reads the graph input");
    assertTrue((double) metrics(r, "conv1").get("clip_min") < 0);
    assertEquals(true, metrics(r, "conv2").get("fixed_min"), "reads a Relu");
    assertEquals(0, metrics(r, "conv2").get("input_zero_point"));
    assertEquals(127, metrics(r, "conv2").get("weight_max_code"), "static layers keep the full int8 grid");
  }

  @Test
  void ineligibleLayersAreSkippedWithReasonsAndLeftInFloat() {
    OnnxModel model = Int8Models.block(18);
    Dataset data = Int8Models.blockData(19, 32);
    SimpleStepContext ctx = Int8Models.context(model, List.of("q", "gate", "ffn", "out"), Map.of(), data, work);
    var tasks = new java.util.ArrayList<>(ctx.layers());
    tasks.set(2, new io.compactor.api.LayerTask("ffn", "MatMul", tasks.get(2).settings().with("channel_wise", true)));
    SimpleStepContext c = new SimpleStepContext(model, tasks, data, work, 16);
    StepResult r = method().apply(c);
    Map<String, Object> ffn = metrics(r, "ffn");
    assertEquals("skipped", ffn.get("status"));
    assertTrue(((String) ffn.get("reason")).contains("channel_wise"), ffn.toString());
    assertEquals(ElementType.FLOAT, model.graph().initializer("ffn.w").orElseThrow().type());
    assertTrue(c.warnings().stream().anyMatch(w -> w.startsWith("ffn:")), c.warnings().toString());
    assertEquals("quantized", metrics(r, "out").get("status"));
    assertEquals(4, c.progressReports().size());
  }

  @Test
  void dynamicActivationsBecomeMatMulIntegerAndMatchTheTwin() {
    OnnxModel model = Int8Models.block(20);
    OnnxModel fp32 = model.copy();
    Dataset data = Int8Models.blockData(21, 32);
    StepResult r = method().apply(Int8Models.context(model, List.of("q", "gate", "ffn", "out"),
        Map.of("activation_quant", "dynamic"), data, work));
    OnnxModel deploy = Int8Models.deploy(r);
    assertTrue(deploy.opTypes().contains("MatMulInteger") && deploy.opTypes().contains("DynamicQuantizeLinear"),
        deploy.opTypes().toString());
    assertTrue(!deploy.opTypes().contains("MatMul"), "every MatMul became MatMulInteger");
    assertEquals(4L, ((Number) r.summary().get("layers_dynamic")).longValue());
    Tensor twin = run(model, data);
    assertTrue(Evaluation.fidelity(twin, run(deploy, data)).meanCosine() > DEPLOY_COSINE);
    assertTrue(Evaluation.fidelity(run(fp32, data), twin).meanCosine() > FIDELITY_COSINE);
    assertEquals(16, ((List<?>) metrics(r, "q").get("weight_scales")).size(), "per output column");
    for (io.compactor.onnx.graph.Node mm : deploy.graph().nodes()) {
      if (mm.opType().equals("MatMulInteger")) {
        for (byte code : deploy.graph().initializer(mm.input(1)).orElseThrow().int8s()) {
          assertTrue(Math.abs(code) <= QuantizedLayer.DYNAMIC_QMAX, mm.name() + " has code " + code
              + ", outside the grid every x86 kernel multiplies exactly");
        }
      }
    }
    assertEquals(QuantizedLayer.DYNAMIC_QMAX, metrics(r, "q").get("weight_max_code"));
  }

  @Test
  void twoOfFourWeightsOfDynamicallyQuantizedMatMulsAreProvenToo() {
    OnnxModel model = Int8Models.block(22);
    Graph g = model.graph();
    float[] w = g.initializer("ffn.w").orElseThrow().floats();   // [K = 16, N = 24], groups of 4 along K
    for (int k = 0; k < 16; k++) {
      if (k % 4 >= 2) {
        java.util.Arrays.fill(w, k * 24, (k + 1) * 24, 0f);
      }
    }
    g.setInitializer("ffn.w", Tensor.ofFloats(new long[] {16, 24}, w));
    StepResult r = method().apply(Int8Models.context(model, List.of("q", "gate", "ffn", "out"),
        Map.of("activation_quant", "dynamic"), Int8Models.blockData(23, 32), work));

    assertEquals(1, r.summary().get("two_of_four_layers_kept"), r.summary().toString());
    assertTrue(Int8Models.deploy(r).opTypes().contains("MatMulInteger"));
    NmPatternCheck.require(model, List.of("ffn"), NmPattern.M4N2);
  }

  @Test
  void aStaticMatMulWithABiasBecomesOneOnnxRuntimeNodeWithItsBias() throws Exception {
    OnnxModel model = Int8Models.block(24);
    Node add = model.graph().node("q.add").orElseThrow();
    add.setInput(0, "q.b");   // bias first, as PyTorch exports it
    add.setInput(1, "q.mm");
    Dataset data = Int8Models.blockData(25, 32);
    StepResult r = method().apply(Int8Models.context(model, List.of("q", "gate", "ffn", "out"), Map.of(), data,
        work));
    OnnxModel deploy = Int8Models.deploy(r);
    Graph d = deploy.graph();
    Node q = d.node("q").orElseThrow();
    assertEquals("MatMulInteger", q.opType(), "q reads a bias Add");
    assertEquals("QuantizeLinear", d.producer(q.input(0)).orElseThrow().opType());
    assertEquals("MatMul", d.node("gate").orElseThrow().opType(), "gate's output feeds a Mul: it stays QDQ");
    assertTrue(Evaluation.fidelity(run(model, data), run(deploy, data)).meanCosine() > DEPLOY_COSINE);

    // what ONNX Runtime makes of it: one MatMulIntegerToFloat holding the bias, no Add left for q
    Path optimized = work.resolve("optimized.onnx");
    ai.onnxruntime.OrtEnvironment env = ai.onnxruntime.OrtEnvironment.getEnvironment();
    try (ai.onnxruntime.OrtSession.SessionOptions options = new ai.onnxruntime.OrtSession.SessionOptions()) {
      options.setOptimizedModelFilePath(optimized.toString());
      env.createSession(deploy.toBytes(), options).close();
    }
    Graph o = OnnxModel.load(optimized).graph();
    Node fused = o.producer("q.out").orElseThrow();
    assertEquals("MatMulIntegerToFloat", fused.opType());
    assertEquals("q.b", fused.input(fused.inputs().size() - 1), "the bias is the fused node's last input");
  }

  @Test
  void aQuantizedConvFeedsOnlyItsOutputQuantizationSoOnnxRuntimeCanFuseIt() {
    java.util.Random rnd = new java.util.Random(29);
    OnnxModel model = OnnxModel.create("residual", 13);
    Graph g = model.graph();
    g.addInput(io.compactor.onnx.graph.ValueInfo.of("x", ElementType.FLOAT, io.compactor.onnx.graph.ValueInfo.UNKNOWN_DIM,
        4, 8, 8));
    g.setInitializer("c1.w", io.compactor.onnx.fixtures.TestModels.gaussian(rnd, 0.4f, 4, 4, 3, 3));
    g.setInitializer("c2.w", io.compactor.onnx.fixtures.TestModels.gaussian(rnd, 0.4f, 4, 4, 3, 3));
    long[] pads = {1, 1, 1, 1};
    io.compactor.onnx.fixtures.TestModels.node(g, "Conv", "c1", List.of("x", "c1.w"), "c1.out", n -> n.setAttr("pads", pads));
    io.compactor.onnx.fixtures.TestModels.node(g, "Relu", "relu", List.of("c1.out"), "h", n -> {});
    io.compactor.onnx.fixtures.TestModels.node(g, "Conv", "c2", List.of("h", "c2.w"), "c2.out", n -> n.setAttr("pads", pads));
    io.compactor.onnx.fixtures.TestModels.node(g, "Add", "residual", List.of("h", "c2.out"), "y", n -> {});
    g.addOutput(io.compactor.onnx.graph.ValueInfo.named("y"));
    Dataset data = io.compactor.retrain.fixtures.LayerModels.data(io.compactor.retrain.fixtures.LayerModels.correlated(30,
        32, 4, 8, 8));
    OnnxModel fp32 = model.copy();
    StepResult r = method().apply(Int8Models.context(model, List.of("c1", "c2"), Map.of(), data, work));
    Graph d = Int8Models.deploy(r).graph();
    assertEquals(List.of("QuantizeLinear"), d.consumers("h").stream().map(Node::opType).toList(),
        "the residual Add reads the dequantized value too");
    assertEquals("DequantizeLinear", d.producer(d.node("residual").orElseThrow().input(0)).orElseThrow().opType());
    assertTrue(Evaluation.fidelity(run(fp32, data), run(Int8Models.deploy(r), data)).meanCosine()
        > FIDELITY_COSINE);
  }

  @Test
  void outlierChannelsAreEqualizedIntoTheWeightsWhenThatLowersTheError() {
    Dataset plain = Int8Models.blockData(27, 48);
    float[] x = plain.batch(0, plain.size()).get("x").floats().clone();
    for (int i = 3; i < x.length; i += 16) {
      x[i] *= 40;   // one outlier channel, as in transformer activations
    }
    Dataset data = io.compactor.retrain.fixtures.LayerModels.data(Tensor.ofFloats(new long[] {48, 6, 16}, x));
    double[] cosine = new double[2];
    for (int eq = 0; eq < 2; eq++) {
      OnnxModel model = Int8Models.block(28);
      OnnxModel fp32 = model.copy();
      StepResult r = new QuantInt8Method(QuantOptions.DEFAULTS.withEqualize(eq == 1)).apply(Int8Models.context(model,
          List.of("q", "gate", "ffn", "out"), Map.of(), data, work));
      cosine[eq] = Evaluation.fidelity(run(fp32, data), run(Int8Models.deploy(r), data)).meanCosine();
      if (eq == 1) {
        assertTrue((double) metrics(r, "q").get("equalization_alpha") > 0, metrics(r, "q").toString());
        assertEquals(metrics(r, "q").get("equalization_alpha"), metrics(r, "gate").get("equalization_alpha"));
        assertTrue(model.graph().nodes().stream().anyMatch(n -> n.opType().equals("Mul") && n.name().endsWith("_smooth")),
            "x is a graph input: the division is an explicit Mul");
      }
    }
    assertTrue(cosine[1] > cosine[0], "equalized " + cosine[1] + " vs plain " + cosine[0]);
  }

  /** The block of the test above, whose input x has an outlier channel: its division can only be an explicit Mul. */
  private StepResult outlierBlock(OnnxModel model, Map<String, String> qSettings, Map<String, String> others) {
    return outlierBlock(model, qSettings, others, QuantOptions.DEFAULTS.withRetrain(false));
  }

  private StepResult outlierBlock(OnnxModel model, Map<String, String> qSettings, Map<String, String> others,
      QuantOptions options) {
    Dataset plain = Int8Models.blockData(27, 48);
    float[] x = plain.batch(0, plain.size()).get("x").floats().clone();
    for (int i = 3; i < x.length; i += 16) {
      x[i] *= 40;
    }
    Dataset data = io.compactor.retrain.fixtures.LayerModels.data(Tensor.ofFloats(new long[] {48, 6, 16}, x));
    List<io.compactor.api.LayerTask> tasks = new java.util.ArrayList<>();
    for (String n : List.of("q", "gate", "ffn", "out")) {
      tasks.addAll(Int8Models.tasks(model, List.of(n), n.equals("q") ? qSettings : others));
    }
    return new QuantInt8Method(options).apply(new SimpleStepContext(model, tasks, data, work, 16));
  }

  private static boolean explicitMul(OnnxModel m) {
    return m.graph().nodes().stream().anyMatch(n -> n.opType().equals("Mul") && n.name().endsWith("_smooth"));
  }

  @Test
  void equalizationFoldedLeavesOutTheExplicitMulThatAllWouldInsert() {
    OnnxModel all = Int8Models.block(28);
    StepResult withMul = outlierBlock(all, Map.of(), Map.of());
    assertEquals("mul", metrics(withMul, "q").get("equalization_division"));
    assertTrue((double) metrics(withMul, "q").get("equalization_alpha") > 0);
    assertTrue(explicitMul(Int8Models.deploy(withMul)));

    OnnxModel folded = Int8Models.block(28);
    StepResult r = outlierBlock(folded, Map.of("equalization", "folded"), Map.of("equalization", "folded"));
    assertEquals("none", metrics(r, "q").get("equalization_division"));
    assertEquals(0.0, metrics(r, "q").get("equalization_alpha"));
    assertFalse(explicitMul(Int8Models.deploy(r)), "no Mul in front of q and gate");
    StepResult plain = outlierBlock(Int8Models.block(28), Map.of(), Map.of(),
        QuantOptions.DEFAULTS.withRetrain(false).withEqualize(false));
    Dataset data = io.compactor.retrain.fixtures.LayerModels.data(Int8Models.blockData(5, 16).batch(0, 16).get("x"));
    assertTrue(Evaluation.fidelity(run(Int8Models.deploy(plain), data), run(Int8Models.deploy(r), data)).meanCosine()
        > 0.99999, "q's and gate's rows scaled back: the model of no equalization");
  }

  @Test
  void anActivationTakesTheStrictestEqualizationOfItsReaders() {
    StepResult r = outlierBlock(Int8Models.block(28), Map.of("equalization", "none"), Map.of());
    assertFalse(metrics(r, "q").containsKey("equalization_alpha"), "q says none");
    assertFalse(metrics(r, "gate").containsKey("equalization_alpha"), "gate reads the same x as q");
    assertTrue(Int8Models.deploy(r).graph().consumers("x").stream().noneMatch(n -> n.opType().equals("Mul")),
        "no Mul divides x");
  }

  @Test
  void retrainingLowersTheLayerErrorBelowNearestRounding() {
    OnnxModel model = Int8Models.cnn(22, 13);
    StepResult r = method().apply(Int8Models.context(model, Int8Models.CNN_LAYERS, Map.of(), CNN_DATA, work));
    double nearest = (double) r.summary().get("mean_error_nearest");
    double retrained = (double) r.summary().get("mean_error_retrained");
    assertTrue(retrained < nearest, retrained + " vs " + nearest);
    assertTrue(((String) metrics(r, "dw").get("rounding")).startsWith("nearest"), "depthwise: no layer view");
  }

  @Test
  void perChannelWeightsRaiseAnOldOpsetTo13() {
    OnnxModel model = Int8Models.cnn(23, 11);
    StepResult r = method().apply(Int8Models.context(model, Int8Models.CNN_LAYERS, Map.of(), CNN_DATA, work));
    assertEquals(13L, Int8Models.deploy(r).opset());
    assertEquals(11L, ((Number) r.summary().get("opset_before")).longValue());
    assertTrue(((String) metrics(r, "conv2").get("weight_granularity")).startsWith("per_channel"));
  }

  @Test
  void progressIsReportedPerLayerAndCancellationStopsBetweenLayers() {
    OnnxModel model = Int8Models.cnn(24, 13);
    SimpleStepContext all = Int8Models.context(model, Int8Models.CNN_LAYERS, Map.of(), CNN_DATA, work);
    method().apply(all);
    assertEquals(List.of("1/5 conv1", "2/5 conv2", "3/5 dw", "4/5 up", "5/5 fc"), all.progressReports());
    SimpleStepContext cancelled = Int8Models.context(Int8Models.cnn(24, 13), Int8Models.CNN_LAYERS, Map.of(),
        CNN_DATA, work).cancelAfter(3);
    assertThrows(StepCancelledException.class, () -> method().apply(cancelled));
  }

  @Test
  void tooFewCalibrationBatchesForBatchNumFailNamingTheLayer() {
    OnnxModel model = Int8Models.cnn(25, 13);
    StepException e = assertThrows(StepException.class, () -> method().apply(Int8Models.context(model,
        Int8Models.CNN_LAYERS, Map.of("batch_num", 9), CNN_DATA, work)));
    assertTrue(e.getMessage().contains("batch_num is 9"), e.getMessage());
    assertEquals("conv1", e.layer().orElseThrow());
  }

  @Test
  void layerResultsFollowTaskOrder() {
    OnnxModel model = Int8Models.cnn(26, 13);
    StepResult r = method().apply(Int8Models.context(model, Int8Models.CNN_LAYERS, Map.of(), CNN_DATA, work));
    assertEquals(Int8Models.CNN_LAYERS, r.layers().stream().map(LayerResult::node).toList());
  }
}
