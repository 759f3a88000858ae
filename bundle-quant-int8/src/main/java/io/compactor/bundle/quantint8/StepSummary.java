package io.compactor.bundle.quantint8;

import io.compactor.api.Capabilities;
import io.compactor.api.LayerResult;
import io.compactor.api.StepContext;
import io.compactor.api.StepException;
import io.compactor.onnx.ModelException;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.runtime.Evaluation;
import io.compactor.onnx.runtime.Fidelity;
import io.compactor.onnx.runtime.ModelSession;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The step-level report: layer counts, weight and model sizes, mean layer errors, opsets, and the fake-quant
 * model's fidelity to the step's input on the calibration data. The deploy model does not exist yet: the chain
 * exports it after retraining, and evaluates it.
 */
final class StepSummary {
  private final StepContext context;

  StepSummary(StepContext context) {
    this.context = context;
  }

  Map<String, Object> summarize(OnnxModel fakeQuant, Collection<QuantizedLayer> layers,
      List<LayerResult> results, long opsetBefore, double seconds) {
    Map<String, Object> s = new LinkedHashMap<>();
    long weights = 0;
    for (QuantizedLayer l : layers) {
      weights += fakeQuant.graph().initializer(l.weight()).orElseThrow().size();
    }
    s.put("layers", results.size());
    s.put("layers_quantized", layers.size());
    s.put("layers_skipped", results.size() - layers.size());
    s.put("layers_dynamic", layers.stream().filter(QuantizedLayer::dynamic).count());
    s.put("weight_bytes_fp32", 4 * weights);
    s.put("weight_bytes_int8", weights);
    s.put("opset_before", opsetBefore);
    s.put("opset_after", fakeQuant.opset());
    s.put("mean_error_nearest", mean(results, "error_nearest"));
    s.put("mean_error_retrained", mean(results, "error_retrained"));
    s.put("calibration_samples", context.calibration().size());
    if (!layers.isEmpty()) {
      s.put("model_bytes_fakequant", (long) fakeQuant.toBytes().length);
      String output = fakeQuant.graph().outputs().get(0).name();
      try (ModelSession ref = ModelSession.open(context.original());
          ModelSession fq = ModelSession.open(fakeQuant)) {
        Fidelity f = Evaluation.fidelity(Evaluation.runAll(ref, context.calibration(), context.batchSize()).get(output),
            Evaluation.runAll(fq, context.calibration(), context.batchSize()).get(output));
        s.put("calibration_mean_cosine", f.meanCosine());
        s.put("calibration_top1_agreement", f.top1Agreement());
      } catch (ModelException e) {
        throw new StepException(Capabilities.QUANT_INT8, e.element().orElse(null), "the quantized model cannot run: "
            + e.getMessage(), e);
      }
    }
    s.put("seconds", seconds);
    return s;
  }

  private static double mean(List<LayerResult> layers, String key) {
    return layers.stream().filter(l -> l.metrics().get(key) instanceof Number)
        .mapToDouble(l -> ((Number) l.metrics().get(key)).doubleValue()).average().orElse(0);
  }
}
