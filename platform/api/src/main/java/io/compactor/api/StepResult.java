package io.compactor.api;

import io.compactor.onnx.graph.OnnxModel;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a step returns besides the model it rewrote in place.
 *
 * @param summary step-level statistics for events and the report (JSON-friendly values)
 * @param layers per-operator results
 * @param deployModel a separate deployable form when it differs from the rewritten model (the INT8
 *     step returns its QDQ model here and leaves a float fake-quant simulation in the context model)
 */
public record StepResult(Map<String, Object> summary, List<LayerResult> layers, Optional<OnnxModel> deployModel) {
  public StepResult {
    summary = Map.copyOf(summary);
    layers = List.copyOf(layers);
    Objects.requireNonNull(deployModel, "deployModel");
  }

  /** @return a result without a separate deploy model */
  public static StepResult of(Map<String, Object> summary, List<LayerResult> layers) {
    return new StepResult(summary, layers, Optional.empty());
  }
}
