package io.compactor.bundle.prune2of4;

import io.compactor.api.LayerTask;
import io.compactor.api.Settings;
import io.compactor.api.StepResult;
import io.compactor.api.TwoOfFourKeys;
import io.compactor.api.testing.SimpleStepContext;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.runtime.Dataset;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One benchmark variant: a copy of the model compressed by the 2:4 step with given options, the result
 * and the wall time of the step.
 *
 * @param name how the variant is shown
 * @param model the compressed copy
 * @param result what the step reported
 * @param seconds wall time of the step
 */
record BenchmarkRun(String name, OnnxModel model, StepResult result, double seconds) {
  /**
   * @param name variant name
   * @param fp32 the model to compress; not modified
   * @param calibration calibration samples
   * @param options reconstruction options
   * @param updateFreq the {@code update_freq} setting for every layer
   * @param batchSize samples per ONNX Runtime run
   */
  static BenchmarkRun of(String name, OnnxModel fp32, Dataset calibration, ReconstructionOptions options,
      int updateFreq, int batchSize) {
    OnnxModel model = fp32.copy(fp32.source() + " (" + name + ")");
    List<LayerTask> tasks = model.graph().topologicalOrder().stream()
        .filter(n -> TwoOfFourEligibility.OP_TYPES.contains(n.opType()))
        .map(n -> new LayerTask(n.name(), n.opType(), new Settings(Map.of(TwoOfFourKeys.UPDATE_FREQ.name(), updateFreq,
            TwoOfFourKeys.N_OUT_OF_M_TYPE.name(), "M4N2"))))
        .toList();
    try {
      Path work = Files.createTempDirectory("bench-2of4");
      SimpleStepContext context = new SimpleStepContext(model, tasks, calibration, work, batchSize);
      long start = System.nanoTime();
      StepResult result = new TwoOfFourMethod(options).apply(context);
      double seconds = (System.nanoTime() - start) / 1e9;
      Files.delete(work);
      return new BenchmarkRun(name, model, result, seconds);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** @return a summary value as a number, NaN when absent */
  double summary(String key) {
    Object v = result.summary().get(key);
    return v instanceof Number n ? n.doubleValue() : Double.NaN;
  }
}
