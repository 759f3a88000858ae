package io.compactor.core.host.testbundles.retraining;

import io.compactor.api.Capabilities;
import io.compactor.api.CompressionMethod;
import io.compactor.api.RetrainOutcome;
import io.compactor.api.RetrainSettings;
import io.compactor.api.RetrainingMethod;
import io.compactor.api.StepContext;
import io.compactor.api.StepException;
import io.compactor.api.StepResult;
import io.compactor.api.TrainingForm;
import io.compactor.api.UnsupportedOperator;
import io.compactor.api.WeightMask;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Component;

/**
 * Test bundle {@code test.retraining}: a {@code retrain.distill} provider that trains nothing but records
 * what the chain hands it (form, masks, quantization, training data, settings) in its summary, reports one
 * progress call per epoch, and leaves a visible mark on the model (the bias of {@code fc} raised by
 * {@link #BIAS_SHIFT}) so a test can tell that the export ran after it. It cannot "train" the op type named
 * by the system property {@value #UNTRAINABLE}, if set.
 */
@Component(service = CompressionMethod.class, property = {"compactor.capability=retrain.distill", "compactor.stage=retraining",
    "service.ranking:Integer=0"})
public final class RecordingRetrainer implements RetrainingMethod {
  /** System property: an op type this provider reports as untrainable. */
  public static final String UNTRAINABLE = "compactor.test.untrainable";
  /** What the provider adds to every entry of the bias {@code fc.b}. */
  public static final float BIAS_SHIFT = 2f;

  @Override
  public String capability() {
    return Capabilities.RETRAIN_DISTILL;
  }

  @Override
  public List<UnsupportedOperator> unsupportedOperators(OnnxModel model) {
    String op = System.getProperty(UNTRAINABLE);
    return model.graph().nodes().stream().filter(n -> n.opType().equals(op))
        .map(n -> new UnsupportedOperator(n.name(), n.opType(), "no converter for ai.onnx " + op)).toList();
  }

  @Override
  public StepResult apply(StepContext context) {
    RetrainSettings settings = context.retrainSettings().orElseThrow(() -> new StepException(capability(), null,
        "the retraining step got no retraining settings"));
    TrainingForm form = context.form();
    Graph g = form.model().graph();
    int[] first = {0};
    Map<String, ?> batch = context.training().inputs(first);
    for (WeightMask m : form.masks().values()) {
      int bad = m.firstViolation(g.initializer(m.weight()).orElseThrow().floats());
      if (bad >= 0) {
        throw new StepException(capability(), m.node(), "mask of " + m.weight() + " violated at " + bad);
      }
    }
    for (int e = 1; e <= settings.epochs(); e++) {
      context.throwIfCancelled();
      context.epoch(e, settings.epochs(), 1.0 / e, 0.9 + 0.01 * e);
    }
    Tensor bias = g.initializer("fc.b").orElseThrow();
    float[] b = bias.toFloats();
    for (int i = 0; i < b.length; i++) {
      b[i] += BIAS_SHIFT;
    }
    g.setInitializer("fc.b", Tensor.ofFloats(bias.shape(), b));
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("masks", form.masks().size());
    summary.put("quantized_layers", form.quantization().size());
    summary.put("compressed", String.join(",", form.compressed()));
    summary.put("training_samples", context.training().size());
    summary.put("training_source", context.training().source());
    summary.put("batch_inputs", batch.size());
    summary.put("teacher_nodes", context.teacher().graph().nodes().size());
    summary.put("train", settings.train().name());
    return StepResult.retrained(summary, form, new RetrainOutcome(0.5, 0.75, settings.epochs(), 0.01, 0, 1.0
        / settings.epochs()));
  }
}
