package io.compactor.bundle.prune2of4;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.api.Capabilities;
import io.compactor.api.CompressionMethod;
import io.compactor.api.Eligibility;
import io.compactor.api.LayerResult;
import io.compactor.api.Stage;
import io.compactor.api.StepCancelledException;
import io.compactor.api.StepException;
import io.compactor.api.StepResult;
import io.compactor.api.testing.CompressionMethodContract;
import io.compactor.api.testing.SimpleStepContext;
import io.compactor.onnx.fixtures.TestModels;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.runtime.Dataset;
import io.compactor.onnx.runtime.Evaluation;
import io.compactor.onnx.runtime.Fidelity;
import io.compactor.onnx.runtime.ModelSession;
import io.compactor.onnx.tensor.Tensor;
import io.compactor.retrain.NmPattern;
import io.compactor.retrain.NmPatternCheck;
import io.compactor.retrain.fixtures.LayerModels;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TwoOfFourMethodTest extends CompressionMethodContract {
  /** Reconstruction must remove at least this share of magnitude-only's layer output error. */
  private static final double MIN_LAYER_IMPROVEMENT = 0.3;
  private static final Dataset DATA = SparseModels.cnnData(81, 48);
  private final TwoOfFourMethod method = new TwoOfFourMethod();
  @TempDir
  Path work;

  private static Map<String, Object> metrics(StepResult r, String node) {
    return r.layers().stream().filter(l -> l.node().equals(node)).findFirst().orElseThrow().metrics();
  }

  @Override
  protected CompressionMethod method() {
    return new TwoOfFourMethod();
  }

  @Override
  protected List<Operator> eligibleOperators() {
    return List.of(
        operator("Conv", new long[] {8, 8, 3, 3}, n -> {}),
        operator("ConvTranspose", new long[] {8, 4, 3, 3}, n -> {}),
        operator("Gemm", new long[] {4, 8}, n -> n.setAttr("transB", 1L)),
        operator("MatMul", new long[] {8, 4}, n -> {}));
  }

  @Override
  protected List<Operator> ineligibleOperators() {
    return List.of(
        operatorWithRuntimeWeight("MatMul"),
        operator("Conv", new long[] {8, 1, 3, 3}, n -> n.setAttr("group", 8L)),
        operator("Conv", new long[] {8, 2, 3, 3}, n -> {}),
        operator("Relu", new long[] {8, 8}, n -> {}));
  }

  @Test
  void describesItselfAsTheSpiAndTheComponentPropertiesSay() {
    assertEquals(Capabilities.SPARSITY_2OF4, method.capability());
    assertEquals(Stage.SPARSITY, method.stage());
    assertEquals(Set.of("Conv", "ConvTranspose", "Gemm", "MatMul"), method.opTypes());
  }

  @Test
  void everyEligibleWeightEndsWithExactlyTwoOfEveryFourAlongInputChannels() {
    OnnxModel model = SparseModels.cnn(82);
    StepResult r = method.apply(SparseModels.context(model, SparseModels.CNN_LAYERS, DATA, work));
    NmPatternCheck.require(model, SparseModels.CNN_SPARSE, NmPattern.M4N2);
    Graph g = model.graph();
    for (String node : SparseModels.CNN_SPARSE) {
      float[] w = g.initializer(g.node(node).orElseThrow().input(1)).orElseThrow().floats();
      long zeros = 0;
      for (float v : w) {
        zeros += v == 0 ? 1 : 0;
      }
      assertEquals(w.length / 2, zeros, node + ": random dense weights lose exactly half");
      assertEquals(0.5, (double) metrics(r, node).get("sparsity"), 1e-12, node);
      // the training form declares exactly these zeros, for retraining to hold and the export to prove
      var mask = r.form().orElseThrow().masks().get(g.node(node).orElseThrow().input(1));
      assertEquals(zeros, mask.count(), node);
      assertEquals(-1, mask.firstViolation(w), node);
    }
    assertEquals(SparseModels.CNN_SPARSE, r.form().orElseThrow().compressed());
    assertEquals(0.5, (double) r.summary().get("sparsity"), 1e-12);
    assertEquals(4, r.summary().get("layers_sparse"));
  }

  @Test
  void aLayerThatAlreadySatisfiesTwoOfFourIsLeftUnchanged() {
    OnnxModel model = SparseModels.cnn(83);
    Graph g = model.graph();
    float[] w = g.initializer("conv2.w").orElseThrow().floats();
    for (int i = 0; i < w.length; i++) {
      int cin = i / 9 % 8;
      if (cin % 4 == 1 || cin % 4 == 2) {
        w[i] = 0;
      }
    }
    Tensor sparse = Tensor.ofFloats(new long[] {8, 8, 3, 3}, w);
    g.setInitializer("conv2.w", sparse);
    StepResult r = method.apply(SparseModels.context(model, List.of("conv1", "conv2"), DATA, work));
    assertEquals(sparse, g.initializer("conv2.w").orElseThrow());
    assertEquals("", g.node("conv2").orElseThrow().input(2), "no bias was added to the untouched layer");
    assertEquals("unchanged (already 2:4)", metrics(r, "conv2").get("status"));
    assertEquals("reconstructed", metrics(r, "conv1").get("status"));
  }

  @Test
  void reconstructionLowersTheOutputErrorVersusMagnitudeOnlyOnCorrelatedInputs() {
    OnnxModel reconstructed = SparseModels.cnn(84);
    OnnxModel magnitude = reconstructed.copy("magnitude");
    OnnxModel original = reconstructed.copy("original");
    StepResult r = method.apply(SparseModels.context(reconstructed, SparseModels.CNN_LAYERS, DATA, work));
    new TwoOfFourMethod(ReconstructionOptions.DEFAULTS.magnitudeOnly())
        .apply(SparseModels.context(magnitude, SparseModels.CNN_LAYERS, DATA, work));
    for (String node : SparseModels.CNN_SPARSE) {
      Map<String, Object> m = metrics(r, node);
      double mag = (double) m.get("error_magnitude");
      double rec = (double) m.get("error_reconstructed");
      assertTrue(rec < (1 - MIN_LAYER_IMPROVEMENT) * mag, node + ": reconstructed " + rec + " vs magnitude " + mag);
    }
    Dataset held = SparseModels.cnnData(85, 32);
    Fidelity rec = fidelity(original, reconstructed, held);
    Fidelity mag = fidelity(original, magnitude, held);
    assertTrue(rec.meanCosine() > mag.meanCosine() && rec.maxAbsError() < mag.maxAbsError(),
        "held-out fidelity reconstructed " + rec + " vs magnitude " + mag);
  }

  private static Fidelity fidelity(OnnxModel reference, OnnxModel candidate, Dataset data) {
    try (ModelSession a = ModelSession.open(reference, 1); ModelSession b = ModelSession.open(candidate, 1)) {
      return Evaluation.fidelity(Evaluation.runAll(a, data, 16).get("y"), Evaluation.runAll(b, data, 16).get("y"));
    }
  }

  @Test
  void ineligibleOperatorsAreSkippedWithTheirReason() {
    OnnxModel model = SparseModels.cnn(86);
    Tensor dw = model.graph().initializer("dw.w").orElseThrow();
    SimpleStepContext context = SparseModels.context(model, SparseModels.CNN_LAYERS, DATA, work);
    StepResult r = method.apply(context);
    assertEquals("skipped", metrics(r, "dw").get("status"));
    assertTrue(((String) metrics(r, "dw").get("reason")).startsWith("depthwise convolution (group = 8)"));
    assertEquals(dw, model.graph().initializer("dw.w").orElseThrow());
    assertTrue(context.warnings().stream().anyMatch(w -> w.startsWith("dw: left dense, depthwise")), context.warnings()
        .toString());
  }

  @Test
  void eligibilityNamesTheReason() {
    OnnxModel grouped = LayerModels.conv(87, 4, 8, 3, 3, 5, 5, true, n -> n.setAttr("group", 2L));
    assertReason(grouped, "conv", "grouped convolution (group = 2)");
    OnnxModel narrow = LayerModels.conv(88, 2, 8, 3, 3, 5, 5, true, n -> {});
    assertReason(narrow, "conv", "only 2 input channels (Cin ≤ 2)");
    OnnxModel shared = LayerModels.matMulAdd(89, 2, 8, 8);
    TestModels.node(shared.graph(), "MatMul", "again", List.of("y", "proj.w"), "z", n -> {});
    assertReason(shared, "proj", "weight 'proj.w' is shared with [again]");
    OnnxModel attention = LayerModels.matMulAdd(90, 2, 8, 8);
    TestModels.node(attention.graph(), "MatMul", "scores", List.of("x", "y"), "s", n -> {});
    assertReason(attention, "scores", "weight 'y' is computed by Add 'proj.add', not a constant initializer");
    OnnxModel odd = LayerModels.conv(91, 6, 8, 3, 3, 5, 5, true, n -> {});
    assertTrue(method.eligibility(odd.graph(), odd.graph().node("conv").orElseThrow()).eligible(),
        "Cin = 6 is eligible: the last group of each position is zero-padded");
    OnnxModel relu = SparseModels.cnn(92);
    assertReason(relu, "r1", "op type Relu is not handled by 2:4 sparsity");
  }

  private void assertReason(OnnxModel model, String node, String reason) {
    Eligibility e = method.eligibility(model.graph(), model.graph().node(node).orElseThrow());
    assertFalse(e.eligible(), node);
    assertTrue(e.reason().startsWith(reason), node + ": " + e.reason());
  }

  @Test
  void channelCountsThatAreNotMultiplesOfFourArePaddedAndStillProven() {
    OnnxModel model = LayerModels.conv(93, 6, 8, 3, 3, 6, 6, true, n -> n.setAttr("pads", new long[] {1, 1, 1, 1}));
    Dataset data = LayerModels.data(LayerModels.correlated(94, 24, 6, 6, 6));
    method.apply(SparseModels.context(model, List.of("conv"), data, work));
    NmPatternCheck.require(model, List.of("conv"), NmPattern.M4N2);
    float[] w = model.graph().initializer("conv.w").orElseThrow().floats();
    long zeros = 0;
    for (float v : w) {
      zeros += v == 0 ? 1 : 0;
    }
    assertEquals(8 * 9 * (2 + 0), zeros, "groups {0..3} lose 2, the padded groups {4, 5} keep both");
  }

  @Test
  void matMulWithItsBiasAddIsSparsifiedAlongK() {
    OnnxModel model = LayerModels.matMulAdd(95, 6, 16, 8);
    Tensor bias = model.graph().initializer("proj.b").orElseThrow();
    Dataset data = LayerModels.data(LayerModels.correlated(96, 20, 6, 16));
    StepResult r = method.apply(SparseModels.context(model, List.of("proj"), data, work));
    NmPatternCheck.require(model, List.of("proj"), NmPattern.M4N2);
    assertEquals(true, metrics(r, "proj").get("bias_corrected"));
    assertNotEquals(bias, model.graph().initializer("proj.b").orElseThrow(), "the bias Add absorbed the correction");
  }

  @Test
  void updateFreqChoosesMasksUpFrontOrDuringTheSweep() {
    OnnxModel upFront = LayerModels.matMulAdd(97, 6, 32, 16);
    OnnxModel adaptive = upFront.copy();
    OnnxModel everyFour = upFront.copy();
    Dataset data = LayerModels.data(LayerModels.correlated(98, 30, 6, 32));
    StepResult r0 = method.apply(new SimpleStepContext(upFront, SparseModels.tasks(upFront, List.of("proj"),
        Map.of("update_freq", 0)), data, work, 8));
    StepResult r1 = method.apply(new SimpleStepContext(adaptive, SparseModels.tasks(adaptive, List.of("proj"),
        Map.of("update_freq", 1)), data, work, 8));
    method.apply(new SimpleStepContext(everyFour, SparseModels.tasks(everyFour, List.of("proj"),
        Map.of("update_freq", 4)), data, work, 8));
    assertEquals(0, metrics(r0, "proj").get("update_freq"));
    assertEquals(1, metrics(r1, "proj").get("update_freq"));
    boolean[] m0 = zeros(upFront);
    boolean[] m1 = zeros(adaptive);
    boolean[] m4 = zeros(everyFour);
    assertFalse(Arrays.equals(m0, m1), "re-choosing masks during the sweep changes some of them");
    assertFalse(Arrays.equals(m4, m1) && Arrays.equals(m4, m0), "every 4 groups is a third way");
    assertTrue((double) metrics(r1, "proj").get("error_reconstructed")
        <= (double) metrics(r0, "proj").get("error_reconstructed"), "following the compensation helps here");
  }

  private static boolean[] zeros(OnnxModel model) {
    float[] w = model.graph().initializer("proj.w").orElseThrow().floats();
    boolean[] z = new boolean[w.length];
    for (int i = 0; i < w.length; i++) {
      z[i] = w[i] == 0;
    }
    return z;
  }

  @Test
  void settingsOutsideTheAmctVocabularyAreRejectedByKey() {
    OnnxModel model = LayerModels.matMulAdd(99, 2, 8, 4);
    Dataset data = LayerModels.data(LayerModels.correlated(100, 4, 2, 8));
    StepException negative = assertThrows(StepException.class, () -> method.apply(new SimpleStepContext(model,
        SparseModels.tasks(model, List.of("proj"), Map.of("update_freq", -1)), data, work, 8)));
    assertTrue(negative.getMessage().contains("proj: update_freq: must be a whole number ≥ 0, got -1"),
        negative.getMessage());
    StepException type = assertThrows(StepException.class, () -> method.apply(new SimpleStepContext(model,
        SparseModels.tasks(model, List.of("proj"), Map.of("n_out_of_m_type", "M8N1")), data, work, 8)));
    assertTrue(type.getMessage().contains("n_out_of_m_type: must be M4N2, got 'M8N1'; use M4N2"),
        type.getMessage());
    assertEquals("proj", type.layer().orElseThrow());
  }

  @Test
  void progressIsReportedForEveryLayerInOrder() {
    OnnxModel model = SparseModels.cnn(101);
    SimpleStepContext context = SparseModels.context(model, SparseModels.CNN_LAYERS, DATA, work);
    StepResult r = method.apply(context);
    assertEquals(List.of("1/5 conv1", "2/5 conv2", "3/5 dw", "4/5 up", "5/5 fc"), context.progressReports());
    assertEquals(SparseModels.CNN_LAYERS, r.layers().stream().map(LayerResult::node).toList());
  }

  @Test
  void cancellationStopsBetweenLayersAndLeavesLaterLayersDense() {
    OnnxModel model = SparseModels.cnn(102);
    Tensor conv2 = model.graph().initializer("conv2.w").orElseThrow();
    Tensor fc = model.graph().initializer("fc.w").orElseThrow();
    SimpleStepContext context = SparseModels.context(model, SparseModels.CNN_SPARSE, DATA, work).cancelAfter(1);
    assertThrows(StepCancelledException.class, () -> method.apply(context));
    assertEquals(List.of("1/4 conv1"), context.progressReports());
    assertEquals(conv2, model.graph().initializer("conv2.w").orElseThrow());
    assertEquals(fc, model.graph().initializer("fc.w").orElseThrow());
    float[] conv1 = model.graph().initializer("conv1.w").orElseThrow().floats();
    assertArrayEquals(new long[] {8, 4, 3, 3}, model.graph().initializer("conv1.w").orElseThrow().shape());
    assertTrue(NmPatternCheck.firstViolation("conv1.w", "conv1", Tensor.ofFloats(new long[] {8, 4, 3, 3}, conv1), 1,
        List.of("cout", "cin", "kh", "kw"), NmPattern.M4N2).isEmpty(), "the finished layer is sparse");
  }
}
