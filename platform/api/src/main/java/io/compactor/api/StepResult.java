package io.compactor.api;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a step returns besides the model it rewrote in place.
 *
 * @param summary step-level statistics for events and the report (JSON-friendly values)
 * @param layers per-operator results
 * @param form the training form after this step, with the masks and quantization parameters it added
 *     ({@link TrainingForm#withMasks}, {@link TrainingForm#withQuantization}); empty: the context's form
 *     with its model rewritten in place and nothing to declare
 * @param retraining what retraining achieved; only from a {@link Stage#RETRAINING} step
 * @since 1.3.0 the form replaces the deploy model, which {@link CompressionMethod#export} now builds
 */
public record StepResult(Map<String, Object> summary, List<LayerResult> layers, Optional<TrainingForm> form,
    Optional<RetrainOutcome> retraining) {
  public StepResult {
    summary = Map.copyOf(summary);
    layers = List.copyOf(layers);
    Objects.requireNonNull(form, "form");
    Objects.requireNonNull(retraining, "retraining");
  }

  /** @return a result that declares nothing beyond the in-place rewrite */
  public static StepResult of(Map<String, Object> summary, List<LayerResult> layers) {
    return new StepResult(summary, layers, Optional.empty(), Optional.empty());
  }

  /**
   * @return a compression step's result with the training form it leaves
   * @since 1.3.0
   */
  public static StepResult of(Map<String, Object> summary, List<LayerResult> layers, TrainingForm form) {
    return new StepResult(summary, layers, Optional.of(form), Optional.empty());
  }

  /**
   * @return a retraining step's result: the trained form and what training achieved
   * @since 1.3.0
   */
  public static StepResult retrained(Map<String, Object> summary, TrainingForm form, RetrainOutcome outcome) {
    return new StepResult(summary, List.of(), Optional.of(form), Optional.of(outcome));
  }
}
