package io.compactor.core.tune;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * One tune: the model and its data, the budget, the objective, the allowed space and where the results go.
 *
 * @param model the ONNX model
 * @param calibration calibration data ({@code <input>.npy} per model input)
 * @param eval eval data the budget is judged on ({@code labels.npy} for top-1)
 * @param baseConfig the base configuration: its batch size, skip lists, quantization settings and
 *     {@code compactor_retrain} block are kept
 * @param training training data for retraining, when the base configuration retrains
 * @param budget what the tuned model may lose
 * @param objective what the search maximizes
 * @param space what it may choose from; empty: every method the installed bundles offer, default ratios
 * @param output where the results go
 */
public record TuneRequest(Path model, Path calibration, Path eval, Optional<Path> baseConfig, Optional<Path> training,
    Budget budget, Objective objective, Optional<SearchSpace> space, Path output) {
  public TuneRequest {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(calibration, "calibration");
    Objects.requireNonNull(eval, "eval");
    Objects.requireNonNull(baseConfig, "baseConfig");
    Objects.requireNonNull(training, "training");
    Objects.requireNonNull(budget, "budget");
    Objects.requireNonNull(objective, "objective");
    Objects.requireNonNull(space, "space");
    Objects.requireNonNull(output, "output");
  }
}
