package io.compactor.bundle.quantint8;

import io.compactor.api.CompressionMethod;
import io.compactor.api.LayerTask;
import io.compactor.api.Settings;
import io.compactor.api.StepResult;
import io.compactor.api.TrainingForm;
import io.compactor.api.testing.SimpleStepContext;
import io.compactor.bundle.prune2of4.TwoOfFourMethod;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.runtime.Dataset;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The compression steps as the chain runs them, for benchmarks of other packages (the retraining benchmark):
 * each step receives the training form the one before left, as {@code ChainExecutor} hands it on, and the
 * deploy model is exported from the last form. Options only this package can name are chosen here.
 */
public final class Int8Forms {
  private Int8Forms() {}

  /**
   * @param form the form earlier steps left (its model is rewritten in place)
   * @param calibration calibration samples
   * @param batch samples per ONNX Runtime run
   * @return the 2:4 step's result (M4N2, masks recomputed every batch), its form with the masks
   */
  public static StepResult twoOfFour(TrainingForm form, Dataset calibration, int batch) {
    return apply(new TwoOfFourMethod(), form, calibration, Map.of("n_out_of_m_type", "M4N2", "update_freq", 1),
        batch);
  }

  /**
   * @param form the form earlier steps left (its model is rewritten in place)
   * @param calibration calibration samples, all of them used for the ranges
   * @param batch samples per ONNX Runtime run
   * @param gptq GPTQ rounding (the step's default) or nearest rounding; searched static ranges and equalization
   *     either way
   * @param extra settings added to every layer's, e.g. {@code equalization=folded}
   * @return the INT8 step's result, its form the training form
   */
  public static StepResult staticInt8(TrainingForm form, Dataset calibration, int batch, boolean gptq,
      Map<String, Object> extra) {
    Map<String, Object> s = new HashMap<>(Map.of("weight_algo", "arq_retrain", "dst_type", "INT8", "channel_wise",
        false, "batch_num", calibration.batchRanges(batch).size()));
    s.putAll(extra);
    return apply(new QuantInt8Method(QuantOptions.DEFAULTS.withRetrain(gptq)), form, calibration, s, batch);
  }

  /** @return the deploy (QDQ) model of {@code form}, as the chain's export makes it */
  public static OnnxModel export(TrainingForm form, Dataset calibration, int batch) {
    return new QuantInt8Method().export(form, new SimpleStepContext(form.model(), List.of(), calibration,
        Path.of(System.getProperty("java.io.tmpdir")), batch)).orElseThrow();
  }

  private static StepResult apply(CompressionMethod method, TrainingForm form, Dataset calibration,
      Map<String, Object> settings, int batch) {
    OnnxModel model = form.model();
    List<LayerTask> tasks = model.graph().topologicalOrder().stream()
        .filter(n -> method.opTypes().contains(n.opType()) && method.eligibility(model.graph(), n).eligible())
        .map(n -> new LayerTask(n.name(), n.opType(), new Settings(settings))).toList();
    try {
      Path work = Files.createTempDirectory("bench-forms");
      StepResult r = method.apply(new SimpleStepContext(model, tasks, calibration, work, batch).withForm(form));
      Files.delete(work);
      return r;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
