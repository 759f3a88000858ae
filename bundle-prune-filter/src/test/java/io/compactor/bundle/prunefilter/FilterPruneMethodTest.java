package io.compactor.bundle.prunefilter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.api.CompressionMethod;
import io.compactor.api.LayerResult;
import io.compactor.api.LayerTask;
import io.compactor.api.Settings;
import io.compactor.api.StepCancelledException;
import io.compactor.api.StepException;
import io.compactor.api.StepResult;
import io.compactor.api.testing.CompressionMethodContract;
import io.compactor.api.testing.SimpleStepContext;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.graph.ValueInfo;
import io.compactor.onnx.runtime.Dataset;
import io.compactor.onnx.runtime.Evaluation;
import io.compactor.onnx.runtime.ModelSession;
import io.compactor.onnx.tensor.ElementType;
import io.compactor.onnx.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FilterPruneMethodTest extends CompressionMethodContract {
  /** Float summation order may change with the channel count; removing exact zeros changes nothing else. */
  private static final double FLOAT_NOISE = 1e-5;
  private static final int BATCH = 16;
  @TempDir Path work;

  @Override
  protected CompressionMethod method() {
    return new FilterPruneMethod();
  }

  @Override
  protected List<Operator> eligibleOperators() {
    return List.of(
        producerThenConsumer("Conv", new long[] {16, 8, 3, 3}, n -> {}),
        producerThenConsumer("Conv", new long[] {16, 8, 1, 1}, n -> n.setAttr("group", 1L)),
        producerThenConsumer("Gemm", new long[] {4, 8}, n -> n.setAttr("transB", 1L)),
        producerThenConsumer("MatMul", new long[] {8, 4}, n -> {}));
  }

  @Override
  protected List<Operator> ineligibleOperators() {
    return List.of(
        operator("Conv", new long[] {8, 1, 3, 3}, n -> n.setAttr("group", 8L)),
        operator("Conv", new long[] {16, 8, 3}, n -> {}),
        operator("Conv", new long[] {1, 8, 3, 3}, n -> {}),
        operator("MatMul", new long[] {8, 4, 2}, n -> {}),
        operatorWithRuntimeWeight("Gemm"),
        operator("ConvTranspose", new long[] {8, 4, 3, 3}, n -> {}),
        operator("Conv", new long[] {16, 8, 3, 3}, n -> {}),
        new Operator(PruneModels.through(1, "LRN"), "a"));
  }

  /** {@code x → op(w) → Relu → a 1x1 / dense consumer → y}, so the op's channels have a reader. */
  private static Operator producerThenConsumer(String opType, long[] weightShape, Consumer<Node> attributes) {
    Random r = new Random(5);
    OnnxModel model = OnnxModel.create("eligible-" + opType, 13);
    Graph g = model.graph();
    boolean conv = opType.equals("Conv");
    g.addInput(conv ? ValueInfo.of("x", ElementType.FLOAT, ValueInfo.UNKNOWN_DIM, 8, 6, 6)
        : ValueInfo.of("x", ElementType.FLOAT, ValueInfo.UNKNOWN_DIM, 8));
    g.setInitializer("w", io.compactor.onnx.fixtures.TestModels.gaussian(r, 0.3f, weightShape));
    Node n = Node.create(opType, "op", List.of("x", "w"), List.of("h"));
    attributes.accept(n);
    g.addNode(n);
    g.addNode(Node.create("Relu", "act", List.of("h"), List.of("a")));
    long filters = conv || opType.equals("Gemm") && n.attrInt("transB", 0) == 1 ? weightShape[0] : weightShape[1];
    g.setInitializer("w2", io.compactor.onnx.fixtures.TestModels.gaussian(r, 0.3f,
        conv ? new long[] {3, filters, 1, 1} : new long[] {filters, 3}));
    g.addNode(Node.create(conv ? "Conv" : "MatMul", "next", List.of("a", "w2"), List.of("y")));
    g.addOutput(ValueInfo.named("y"));
    return new Operator(model, "op");
  }

  @Test
  void aProducerFeedingTheGraphOutputIsRefusedWithTheReason() {
    Operator op = ineligibleOperators().get(6);
    assertEquals("its channels cannot be followed: its channels reach the graph output 'y', whose shape must stay",
        method().eligibility(op.model().graph(), op.op()).reason());
  }

  @Test
  void anUnknownOpIsNamedInTheEligibilityReason() {
    Operator op = ineligibleOperators().get(7);
    assertTrue(method().eligibility(op.model().graph(), op.op()).reason().contains("LRN 'mid'"));
  }

  @Test
  void aDepthwiseConvolutionIsRefusedNamingTheGroup() {
    Operator op = ineligibleOperators().get(0);
    assertEquals("grouped or depthwise convolution (group = 8): its filters cannot be removed independently of "
        + "its input channels", method().eligibility(op.model().graph(), op.op()).reason());
  }

  private SimpleStepContext context(OnnxModel model, List<LayerTask> tasks, Dataset data) {
    return new SimpleStepContext(model, tasks, data, work, BATCH);
  }

  private static Tensor run(OnnxModel model, Dataset data) {
    try (ModelSession s = ModelSession.open(model)) {
      return Evaluation.runAll(s, data, BATCH).get("y");
    }
  }

  private static long[] shape(OnnxModel m, String tensor) {
    return m.graph().initializerShape(tensor).orElseThrow();
  }

  private static Map<String, Object> layer(StepResult r, String node) {
    return r.layers().stream().filter(l -> l.node().equals(node)).findFirst().map(LayerResult::metrics)
        .orElseThrow(() -> new AssertionError("no result for " + node + " in " + r.layers()));
  }

  @Test
  void pruningRemovesChannelsFromWeightsBiasesBatchNormAndEveryConsumerAndTheModelStillRuns() {
    OnnxModel model = PruneModels.residual(1);
    Dataset data = PruneModels.data(7, 48, 3, 8, 8);
    byte[] before = model.toBytes();
    StepResult r = new FilterPruneMethod().apply(context(model, PruneModels.tasks(model,
        PruneModels.RESIDUAL_PRODUCERS, 0.5, false), data));

    assertArrayEquals(new long[] {4, 3, 3, 3}, shape(model, "c1.w"));
    assertArrayEquals(new long[] {4}, shape(model, "c1.b"));
    for (String p : List.of("bn.scale", "bn.bias", "bn.mean", "bn.var", "c3.b", "dw.b")) {
      assertArrayEquals(new long[] {4}, shape(model, p), p);
    }
    assertArrayEquals(new long[] {4, 4, 3, 3}, shape(model, "c2.w"));
    assertArrayEquals(new long[] {4, 4, 3, 3}, shape(model, "c3.w"));
    assertArrayEquals(new long[] {4, 1, 3, 3}, shape(model, "dw.w"));
    assertEquals(4, model.graph().node("dw").orElseThrow().attrInt("group", 0));
    assertArrayEquals(new long[] {6, 4, 1, 1}, shape(model, "c4.w"));
    assertArrayEquals(new long[] {5, 6}, shape(model, "fc.w"), "fc's filters reach the output and stay");
    assertEquals("kept", layer(r, "fc").get("status"));

    Path file = work.resolve("pruned.onnx");
    model.save(file);
    OnnxModel loaded = OnnxModel.load(file);
    assertEquals(List.of("x"), loaded.graph().runtimeInputs().stream().map(ValueInfo::name).toList());
    assertEquals(List.of("y"), loaded.graph().outputs().stream().map(ValueInfo::name).toList());
    assertArrayEquals(new long[] {48, 5}, run(loaded, data).shape());
    assertTrue(loaded.toBytes().length < before.length, "pruned model " + loaded.toBytes().length + " bytes, was "
        + before.length);
    assertTrue(((Number) r.summary().get("params_after")).longValue()
        < ((Number) r.summary().get("params_before")).longValue(), r.summary().toString());
    assertTrue(((Number) r.summary().get("macs_after")).longValue()
        < ((Number) r.summary().get("macs_before")).longValue(), r.summary().toString());
  }

  @Test
  void pruningChannelsWhoseWeightsAreZeroLeavesTheOutputsUnchanged() {
    OnnxModel model = PruneModels.residual(2);
    Graph g = model.graph();
    zeroRows(g, "c1.w", 1, 5);
    zeroRows(g, "c1.b", 1, 5);
    zeroRows(g, "bn.bias", 1, 5);
    zeroRows(g, "bn.mean", 1, 5);
    zeroRows(g, "c3.w", 1, 5);
    zeroRows(g, "c3.b", 1, 5);
    zeroRows(g, "dw.b", 1, 5);
    zeroRows(g, "c2.w", 2, 6);
    zeroRows(g, "c4.w", 0, 4, 9);
    Dataset data = PruneModels.data(8, 32, 3, 8, 8);
    Tensor expected = run(model, data);
    StepResult r = new FilterPruneMethod(FilterPruneOptions.DEFAULTS.withoutRefit()).apply(context(model,
        PruneModels.tasks(model, PruneModels.RESIDUAL_PRODUCERS, 0.25, false), data));
    assertArrayEquals(new long[] {6, 3, 3, 3}, shape(model, "c1.w"));
    assertArrayEquals(new long[] {9, 6, 1, 1}, shape(model, "c4.w"));
    float[] want = expected.floats();
    float[] got = run(model, data).floats();
    for (int i = 0; i < want.length; i++) {
      assertEquals(want[i], got[i], FLOAT_NOISE * (1 + Math.abs(want[i])), "output " + i);
    }
    assertEquals(3L, r.summary().get("groups_pruned"));
  }

  @Test
  void aGroupedConsumerLosesAsManyChannelsInEachGroupAndZeroChannelsLeaveItsOutputUnchanged() {
    OnnxModel model = PruneModels.grouped(6);
    Graph g = model.graph();
    zeroRows(g, "a.w", 1, 6);
    zeroRows(g, "a.b", 1, 6);
    Dataset data = PruneModels.data(14, 16, 4, 6, 6);
    Tensor expected = run(model, data);
    StepResult r = new FilterPruneMethod().apply(context(model, List.of(task(model, "a", 0.25, false)), data));
    assertArrayEquals(new long[] {6, 4, 3, 3}, shape(model, "a.w"));
    assertArrayEquals(new long[] {6, 3, 3, 3}, shape(model, "gc.w"), "3 of 4 input channels per conv group");
    assertEquals(2L, model.graph().node("gc").orElseThrow().attrInt("group", 0));
    float[] want = expected.floats();
    float[] got = run(model, data).floats();
    for (int i = 0; i < want.length; i++) {
      assertEquals(want[i], got[i], FLOAT_NOISE * (1 + Math.abs(want[i])), "output " + i);
    }
    assertEquals("pruned", layer(r, "a").get("status"));
    assertTrue(String.valueOf(layer(r, "gc").get("refit")).contains("grouped"), layer(r, "gc").toString());
  }

  /** Zeroes entries {@code rows} along axis 0 of an initializer. */
  private static void zeroRows(Graph g, String name, int... rows) {
    Tensor t = g.initializer(name).orElseThrow();
    float[] v = t.floats();
    int per = v.length / (int) t.dim(0);
    for (int row : rows) {
      java.util.Arrays.fill(v, row * per, (row + 1) * per, 0f);
    }
    g.setInitializer(name, Tensor.ofFloats(t.shape(), v));
  }

  @Test
  void theRefitBringsTheOutputsCloserToTheUnprunedModelOnHeldOutData() {
    Dataset calibration = PruneModels.data(9, 64, 3, 8, 8);
    Dataset heldOut = PruneModels.data(10, 32, 3, 8, 8);
    OnnxModel original = PruneModels.residual(3);
    Tensor expected = run(original, heldOut);
    OnnxModel plain = original.copy();
    new FilterPruneMethod(FilterPruneOptions.DEFAULTS.withoutRefit()).apply(context(plain,
        PruneModels.tasks(plain, PruneModels.RESIDUAL_PRODUCERS, 0.5, false), calibration));
    OnnxModel refitted = original.copy();
    StepResult r = new FilterPruneMethod().apply(context(refitted,
        PruneModels.tasks(refitted, PruneModels.RESIDUAL_PRODUCERS, 0.5, false), calibration));
    double plainError = meanSquaredError(expected, run(plain, heldOut));
    double refitError = meanSquaredError(expected, run(refitted, heldOut));
    assertTrue(refitError < 0.8 * plainError, "held-out MSE after re-fit " + refitError + ", without " + plainError);
    for (String consumer : List.of("c2", "c3", "c4", "fc")) {
      Map<String, Object> m = layer(r, consumer);
      double before = ((Number) m.get("error_before_refit")).doubleValue();
      double after = ((Number) m.get("error_after_refit")).doubleValue();
      assertTrue(after < before, consumer + ": " + m);
    }
    assertEquals(4, ((Number) r.summary().get("layers_refitted")).intValue());
  }

  private static double meanSquaredError(Tensor a, Tensor b) {
    float[] x = a.floats();
    float[] y = b.floats();
    double s = 0;
    for (int i = 0; i < x.length; i++) {
      s += (x[i] - y[i]) * (double) (x[i] - y[i]);
    }
    return s / x.length;
  }

  @Test
  void aMergedGroupTakesTheSmallestRatioOfItsProducers() {
    OnnxModel model = PruneModels.residual(1);
    List<LayerTask> tasks = List.of(task(model, "c1", 0.5, false), task(model, "c3", 0.25, false));
    StepResult r = new FilterPruneMethod().apply(context(model, tasks, PruneModels.data(7, 16, 3, 8, 8)));
    assertArrayEquals(new long[] {6, 3, 3, 3}, shape(model, "c1.w"));
    assertEquals(6, layer(r, "c1").get("channels_after"));
    assertEquals(List.of("c3"), layer(r, "c1").get("pruned_with"));
  }

  @Test
  void ascendOptimizedKeepsAtLeastSixteenChannelsSoASmallGroupStays() {
    OnnxModel model = PruneModels.residual(1);
    StepResult r = new FilterPruneMethod().apply(context(model, List.of(task(model, "c2", 0.5, true)),
        PruneModels.data(7, 16, 3, 8, 8)));
    assertArrayEquals(new long[] {8, 8, 3, 3}, shape(model, "c2.w"));
    assertEquals("kept", layer(r, "c2").get("status"));
    assertTrue(((String) layer(r, "c2").get("reason")).contains("ascend_optimized"), layer(r, "c2").toString());
  }

  @Test
  void aResidualPartnerLeftOutOfThePlanKeepsTheWholeGroupAndSaysWhy() {
    OnnxModel model = PruneModels.residual(1);
    SimpleStepContext ctx = context(model, List.of(task(model, "c1", 0.5, false)), PruneModels.data(7, 16, 3, 8, 8));
    StepResult r = new FilterPruneMethod().apply(ctx);
    assertArrayEquals(new long[] {8, 3, 3, 3}, shape(model, "c1.w"));
    assertTrue(((String) layer(r, "c1").get("reason")).contains("[c3]"), layer(r, "c1").toString());
    assertTrue(ctx.warnings().stream().anyMatch(w -> w.startsWith("c1: filters kept")), ctx.warnings().toString());
  }

  @Test
  void anUnknownOpStopsPruningOfItsGroupWithTheReasonAndLeavesTheModelAlone() {
    OnnxModel model = PruneModels.through(4, "LRN");
    byte[] before = model.toBytes();
    SimpleStepContext ctx = context(model, List.of(task(model, "a", 0.5, false)), PruneModels.data(7, 16, 4, 6, 6));
    StepResult r = new FilterPruneMethod().apply(ctx);
    assertEquals("kept", layer(r, "a").get("status"));
    assertTrue(((String) layer(r, "a").get("reason")).contains("LRN 'mid'"), layer(r, "a").toString());
    assertArrayEquals(before, model.toBytes());
  }

  @Test
  void concatOffsetsAndAFlattenIntoGemmArePrunedConsistently() {
    OnnxModel model = PruneModels.concat(5);
    Dataset data = PruneModels.data(11, 32, 4, 4, 4);
    StepResult r = new FilterPruneMethod().apply(context(model, PruneModels.tasks(model, List.of("a", "b", "c"), 0.5,
        false), data));
    assertArrayEquals(new long[] {3, 4, 3, 3}, shape(model, "a.w"));
    assertArrayEquals(new long[] {5, 4, 1, 1}, shape(model, "b.w"));
    assertArrayEquals(new long[] {4, 8, 3, 3}, shape(model, "c.w"));
    assertArrayEquals(new long[] {64, 3}, shape(model, "fc.w"));
    assertArrayEquals(new long[] {32, 3}, run(model, data).shape());
    assertTrue(((Number) r.summary().get("calibration_mean_cosine")).doubleValue() > 0.9, r.summary().toString());
  }

  @Test
  void aFeedForwardBlockLosesHiddenFeaturesInItsBiasAndNextMatMul() {
    OnnxModel model = PruneModels.feedForward(6);
    Dataset data = PruneModels.data(12, 24, 5, 8);
    new FilterPruneMethod().apply(context(model, PruneModels.tasks(model, List.of("m1"), 0.5, false), data));
    assertArrayEquals(new long[] {8, 8}, shape(model, "m1.w"));
    assertArrayEquals(new long[] {8}, shape(model, "m1.b"));
    assertArrayEquals(new long[] {8, 8}, shape(model, "m2.w"));
    assertArrayEquals(new long[] {24, 5, 8}, run(model, data).shape());
  }

  @Test
  void squeezeExcitationResizeAndConvTransposeArePrunedTogetherAndTheModelRuns() {
    OnnxModel model = PruneModels.detectorLike(7);
    Dataset data = PruneModels.data(13, 32, 4, 8, 8);
    StepResult r = new FilterPruneMethod().apply(context(model, PruneModels.tasks(model, List.of("a", "s1", "s2", "b"),
        0.5, false), data));
    assertEquals(List.of("s2", "b"), layer(r, "a").get("pruned_with"), "the SE Mul and the Resize-Add merge a, s2, b");
    assertArrayEquals(new long[] {4, 4, 3, 3}, shape(model, "a.w"));
    assertArrayEquals(new long[] {2, 4, 1, 1}, shape(model, "s1.w"));
    assertArrayEquals(new long[] {4, 2, 1, 1}, shape(model, "s2.w"));
    assertArrayEquals(new long[] {4, 4, 3, 3}, shape(model, "b.w"));
    assertArrayEquals(new long[] {4, 2, 2, 2}, shape(model, "up.w"), "the ConvTranspose loses input channels");
    assertArrayEquals(new long[] {32, 2, 16, 16}, run(model, data).shape());
  }

  @Test
  void aMatMulWhoseInputsAndOutputsArePrunedIsFittedToTheKeptFeaturesOfItsOriginalOutput() {
    OnnxModel model = PruneModels.mlp(8);
    Dataset data = PruneModels.data(15, 48, 5, 8);
    StepResult r = new FilterPruneMethod().apply(context(model, PruneModels.tasks(model, List.of("m1", "m2"), 0.5,
        false), data));
    assertArrayEquals(new long[] {8, 8}, shape(model, "m2.w"));
    assertArrayEquals(new long[] {8}, shape(model, "m2.b"));
    assertArrayEquals(new long[] {8, 4}, shape(model, "m3.w"));
    Map<String, Object> m2 = layer(r, "m2");
    assertTrue(((Number) m2.get("error_after_refit")).doubleValue() < ((Number) m2.get("error_before_refit"))
        .doubleValue(), m2.toString());
    assertArrayEquals(new long[] {48, 5, 4}, run(model, data).shape());
  }

  @Test
  void declaredShapesOfPrunedValuesAreDroppedSoOnnxRuntimeInfersThemAgain() {
    OnnxModel model = PruneModels.residual(1);
    model.graph().setValueInfo(ValueInfo.of("r1.out", ElementType.FLOAT, ValueInfo.UNKNOWN_DIM, 8, 8, 8));
    model.graph().setValueInfo(ValueInfo.of("flat.out", ElementType.FLOAT, ValueInfo.UNKNOWN_DIM, 12));
    Dataset data = PruneModels.data(7, 8, 3, 8, 8);
    new FilterPruneMethod().apply(context(model, PruneModels.tasks(model, PruneModels.RESIDUAL_PRODUCERS, 0.5, false),
        data));
    assertTrue(model.graph().valueInfo("r1.out").orElseThrow().shape().isEmpty());
    assertTrue(model.graph().valueInfo("flat.out").orElseThrow().shape().isEmpty());
    assertEquals(ElementType.FLOAT, model.graph().valueInfo("r1.out").orElseThrow().elementType().orElseThrow());
    assertArrayEquals(new long[] {8, 5}, run(model, data).shape());
  }

  @Test
  void progressIsReportedPerLayerAndCancellationStopsBetweenLayers() {
    OnnxModel model = PruneModels.residual(1);
    List<LayerTask> tasks = PruneModels.tasks(model, PruneModels.RESIDUAL_PRODUCERS, 0.5, false);
    SimpleStepContext ctx = context(model, tasks, PruneModels.data(7, 16, 3, 8, 8));
    new FilterPruneMethod().apply(ctx);
    assertEquals(List.of("1/5 c1", "2/5 c2", "3/5 c3", "4/5 c4", "5/5 fc"), ctx.progressReports());

    OnnxModel again = PruneModels.residual(1);
    SimpleStepContext cancelled = context(again, PruneModels.tasks(again, PruneModels.RESIDUAL_PRODUCERS, 0.5,
        false), PruneModels.data(7, 16, 3, 8, 8)).cancelAfter(1);
    assertThrows(StepCancelledException.class, () -> new FilterPruneMethod().apply(cancelled));
  }

  @Test
  void aMissingPruneRatioNamesTheKey() {
    OnnxModel model = PruneModels.residual(1);
    List<LayerTask> tasks = List.of(new LayerTask("c1", "Conv", Settings.EMPTY));
    StepException e = assertThrows(StepException.class, () -> new FilterPruneMethod().apply(context(model, tasks,
        PruneModels.data(7, 4, 3, 8, 8))));
    assertEquals("sparsity.filter", e.capability());
    assertTrue(e.getMessage().contains("prune_ratio: missing"), e.getMessage());
  }

  @Test
  void theReportListsEachGroupWithItsReduction() {
    OnnxModel model = PruneModels.residual(1);
    StepResult r = new FilterPruneMethod().apply(context(model, PruneModels.tasks(model,
        PruneModels.RESIDUAL_PRODUCERS, 0.5, false), PruneModels.data(7, 16, 3, 8, 8)));
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> groups = (List<Map<String, Object>>) r.summary().get("group_report");
    assertEquals(4, groups.size());
    Map<String, Object> merged = groups.get(0);
    assertEquals(List.of("c1", "c3"), merged.get("producers"));
    assertEquals(8, merged.get("channels_before"));
    assertEquals(4, merged.get("channels_after"));
    assertTrue(((Number) merged.get("params_removed")).longValue() > 0, merged.toString());
    assertTrue(((Number) merged.get("macs_removed")).longValue() > 0, merged.toString());
    assertEquals("kept", groups.get(3).get("status"));
  }

  private static LayerTask task(OnnxModel model, String node, double ratio, boolean ascend) {
    return PruneModels.tasks(model, List.of(node), ratio, ascend).get(0);
  }
}
