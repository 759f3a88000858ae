package io.compactor.core.tune;

import io.compactor.api.Capabilities;
import io.compactor.core.job.TuneParameters;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One tune: the model and its data, the budget, the objective, the allowed space and where the results go.
 *
 * @param model the ONNX model
 * @param calibration calibration data ({@code <input>.npy} per model input)
 * @param eval eval data the budget is judged on ({@code labels.npy} for top-1)
 * @param baseConfig the base configuration: its batch size, skip lists, settings (global, per type, per layer),
 *     overrides and {@code compactor_retrain} block are kept, the search's choice written into each layer's
 *     settings
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

  /**
   * The tune a job request or the command line asks for: one reading of the parameters for {@code tune},
   * {@code submit --kind tune} and the platform.
   *
   * @param p budget, objective and allowed space, as the request's fields (or the options) give them
   * @param model the ONNX model
   * @param calibration calibration data
   * @param eval eval data
   * @param baseConfig the base configuration
   * @param training training data
   * @param output where the results go
   * @return the tune
   * @throws IllegalArgumentException naming the option ({@code --objective}, {@code --int8}, ...) of a value the
   *     tuner cannot use and what it can
   */
  public static TuneRequest of(TuneParameters p, Path model, Path calibration, Path eval, Optional<Path> baseConfig,
      Optional<Path> training, Path output) {
    return new TuneRequest(model, calibration, eval, baseConfig, training, budget(p), Objective.of(p.objective()),
        space(p), output);
  }

  /**
   * Checks the parameters as {@link #of} reads them, for a client that sends them elsewhere ({@code submit}).
   *
   * @param p the parameters
   * @throws IllegalArgumentException as {@link #of} does
   */
  public static void check(TuneParameters p) {
    budget(p);
    Objective.of(p.objective());
    space(p);
  }

  private static Budget budget(TuneParameters p) {
    return p.maxDrop().map(v -> new Budget(Budget.Kind.MAX_DROP, v))
        .orElseGet(() -> new Budget(Budget.Kind.MIN_FIDELITY, p.minFidelity().orElseThrow()));
  }

  /** @return the space the parameters allow; empty: what the installed bundles offer, default ratios */
  private static Optional<SearchSpace> space(TuneParameters p) {
    if (p.capabilities().isEmpty() && p.filterRatios().isEmpty() && p.int8().isEmpty()) {
      return Optional.empty();
    }
    Set<String> capabilities = p.capabilities().<Set<String>>map(LinkedHashSet::new).orElse(Set.of(
        Capabilities.SPARSITY_2OF4, Capabilities.SPARSITY_FILTER, Capabilities.QUANT_INT8));
    return Optional.of(SearchSpace.of(capabilities, p.filterRatios().orElse(SearchSpace.defaultRatios(
        Objective.of(p.objective()))),
        forms(p.int8())));
  }

  private static Set<Choice.Quant> forms(Optional<List<String>> int8) {
    if (int8.isEmpty()) {
      return EnumSet.of(Choice.Quant.STATIC, Choice.Quant.DYNAMIC);
    }
    Set<Choice.Quant> out = EnumSet.noneOf(Choice.Quant.class);
    for (String f : int8.get()) {
      switch (f.trim().toLowerCase(Locale.ROOT)) {
        case "static" -> out.add(Choice.Quant.STATIC);
        case "dynamic" -> out.add(Choice.Quant.DYNAMIC);
        default -> throw new IllegalArgumentException("--int8: unknown form '" + f + "'; use static, dynamic or both");
      }
    }
    return out;
  }
}
