package io.compactor.core.job;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a tune job ({@code "kind": "tune"}) searches for, with the names of the request's fields; the options of
 * {@code compactor tune} under the same names ({@code --max-drop} is {@code maxDrop}). Values are kept as given:
 * the JSON Schema bounds them on the jobs topic, {@code io.compactor.core.tune.TuneRequest#of} turns them into
 * the tuner's types. Immutable.
 *
 * @param maxDrop budget: top-1 points the tuned model may lose (needs labels in the eval data)
 * @param minFidelity budget: lowest mean cosine of the first output to the original's
 * @param objective {@code size}, {@code latency} or {@code sparsity}
 * @param capabilities the methods the search may use; empty: every one the installed bundles offer
 * @param filterRatios filter-pruning ratios tried per operator; empty: the tuner's defaults
 * @param int8 INT8 forms ({@code static}, {@code dynamic}); empty: both
 */
public record TuneParameters(Optional<Double> maxDrop, Optional<Double> minFidelity, String objective,
    Optional<List<String>> capabilities, Optional<List<Double>> filterRatios, Optional<List<String>> int8) {
  /** The objective when none is given. */
  public static final String DEFAULT_OBJECTIVE = "size";

  public TuneParameters {
    Objects.requireNonNull(maxDrop, "maxDrop");
    Objects.requireNonNull(minFidelity, "minFidelity");
    Objects.requireNonNull(objective, "objective");
    capabilities = Objects.requireNonNull(capabilities, "capabilities").map(List::copyOf);
    filterRatios = Objects.requireNonNull(filterRatios, "filterRatios").map(List::copyOf);
    int8 = Objects.requireNonNull(int8, "int8").map(List::copyOf);
    if (maxDrop.isPresent() == minFidelity.isPresent()) {
      throw new InvalidRequestException(maxDrop.isPresent() ? "minFidelity" : "maxDrop", "give exactly one budget: "
          + "maxDrop (top-1 points, needs labels.npy in eval) or minFidelity (mean cosine to the original)");
    }
    maxDrop.ifPresent(v -> finite("maxDrop", v));
    minFidelity.ifPresent(v -> finite("minFidelity", v));
  }

  private static void finite(String field, double v) {
    if (!Double.isFinite(v)) {
      throw new InvalidRequestException(field, "must be a finite number, got " + v);
    }
  }
}
