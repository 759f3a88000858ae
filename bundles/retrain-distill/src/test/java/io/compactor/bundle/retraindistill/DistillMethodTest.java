package io.compactor.bundle.retraindistill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import io.compactor.api.ActivationQuant;
import io.compactor.api.Capabilities;
import io.compactor.api.LayerQuantization;
import io.compactor.api.RetrainOutcome;
import io.compactor.api.RetrainSettings;
import io.compactor.api.Stage;
import io.compactor.api.StepCancelledException;
import io.compactor.api.StepException;
import io.compactor.api.StepResult;
import io.compactor.api.TrainingForm;
import io.compactor.api.UnsupportedOperator;
import io.compactor.api.WeightGrid;
import io.compactor.api.WeightMask;
import io.compactor.api.testing.SimpleStepContext;
import io.compactor.bundle.retraindistill.training.StudentForm;
import io.compactor.bundle.retraindistill.training.TrainingForms;
import io.compactor.onnx.fixtures.TestModels;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.runtime.Dataset;
import io.compactor.onnx.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The capability on the SPI: a training form as the 2:4 and INT8 steps hand it over (masks, weight grids,
 * static activation pairs) retrained through {@link DistillMethod#apply} on the real libtorch.
 */
class DistillMethodTest {
  private static final Engine ENGINE = Engine.getEngine("PyTorch");
  @TempDir Path dir;

  /** The trainer's test form in the SPI's types. */
  private static TrainingForm spiForm() {
    StudentForm s = TrainingForms.prunedFakeQuant(StudentForm.Scope.ALL);
    OnnxModel model = s.model();
    Graph g = model.graph();
    List<WeightMask> masks = new ArrayList<>();
    s.masks().forEach((weight, mask) -> masks.add(WeightMask.ofZeros("conv2", weight, mask)));
    List<LayerQuantization> layers = new ArrayList<>();
    // the layers with a static activation pair in front (conv1 reads the image unquantized here)
    Map<String, String> readers = Map.of("conv2", "conv2.w", "fc", "fc.w");
    for (Map.Entry<String, String> e : readers.entrySet()) {
      Node node = g.node(e.getKey()).orElseThrow();
      float[] f = s.weightGrids().get(e.getValue()).scales();
      double[] d = new double[f.length];
      for (int i = 0; i < f.length; i++) {
        d[i] = f[i];
      }
      Node dq = g.producer(node.input(0)).orElseThrow();
      Node q = g.producer(dq.input(0)).orElseThrow();
      ActivationQuant act = new ActivationQuant(q.input(0), q.name(), dq.name(), dq.input(1), dq.input(2), false);
      layers.add(new LayerQuantization(e.getKey(), e.getValue(), new WeightGrid(0, d, 127), act, false));
    }
    return TrainingForm.of(model).withMasks(masks).withQuantization(layers);
  }

  private SimpleStepContext context(TrainingForm form, RetrainSettings settings) {
    Dataset data = new Dataset("images", Map.of("image", TestModels.images(11, 160)), null);
    return new SimpleStepContext(form.model(), List.of(), data, dir, 16).withForm(form)
        .withTeacher(TestModels.residualCnn(3, false)).withRetrainSettings(settings);
  }

  private static RetrainSettings settings(int epochs) {
    return new RetrainSettings(epochs, 0.003, 16, 5, 7, 0.2, RetrainSettings.Train.ALL);
  }

  @Test
  void retrainsTheFormKeepingMasksAndGridsAndReportsTheOutcome() {
    TrainingForm form = spiForm();
    SimpleStepContext ctx = context(form, settings(3));
    DistillMethod method = new DistillMethod(ENGINE);
    assertEquals(Capabilities.RETRAIN_DISTILL, method.capability());
    assertEquals(Stage.RETRAINING, method.stage());
    StepResult result = method.apply(ctx);

    RetrainOutcome outcome = result.retraining().orElseThrow();
    assertTrue(outcome.after() > outcome.before(), outcome.toString());
    assertEquals(3, outcome.epochs());
    assertTrue(outcome.lockWaitSeconds() >= 0 && outcome.seconds() > 0, outcome.toString());
    assertEquals(3, ctx.epochReports().size(), ctx.epochReports().toString());
    TrainingForm trained = result.form().orElseThrow();
    assertEquals(form.masks().keySet(), trained.masks().keySet());
    assertEquals(form.quantization(), trained.quantization());
    Tensor w = trained.model().graph().initializer("conv2.w").orElseThrow();
    WeightMask mask = trained.masks().get("conv2.w");
    float[] values = w.floats();
    for (int i = 0; i < values.length; i++) {
      if (mask.held(i)) {
        assertEquals(0f, values[i], "conv2.w[" + i + "] is pruned");
      }
    }
    assertNotEquals(form.model().graph().initializer("conv2.w"), trained.model().graph().initializer("conv2.w"));
    String scale = form.quantization().get("conv2").activation().scale();
    assertNotEquals(form.model().graph().initializer(scale), trained.model().graph().initializer(scale),
        "the static activation scale learns and is written back into its initializer");
    assertEquals(outcome.after(), (double) result.summary().get("held_out_fidelity_after"));
  }

  @Test
  void namesOperatorsItCannotTrainAndRefusesMissingSettingsAndStopsWhenCancelled() {
    OnnxModel model = TestModels.residualCnn(3, false);
    Graph g = model.graph();
    Node relu = g.node("relu2").orElseThrow();
    g.insertBefore(relu, Node.create("NonZero", "nz", List.of("add.out"), List.of("nz.out")));
    List<UnsupportedOperator> unsupported = new DistillMethod(ENGINE).unsupportedOperators(model);
    assertEquals(1, unsupported.size());
    assertEquals("nz", unsupported.get(0).node());
    assertEquals("NonZero", unsupported.get(0).opType());

    TrainingForm form = spiForm();
    Dataset data = new Dataset("images", Map.of("image", TestModels.images(11, 32)), null);
    SimpleStepContext noSettings = new SimpleStepContext(form.model(), List.of(), data, dir, 16).withForm(form);
    StepException e = assertThrows(StepException.class, () -> new DistillMethod(ENGINE).apply(noSettings));
    assertTrue(e.getMessage().contains("compactor_retrain"), e.getMessage());

    SimpleStepContext cancelled = context(form, settings(2));
    cancelled.cancel();
    assertThrows(StepCancelledException.class, () -> new DistillMethod(ENGINE).apply(cancelled));
  }
}
