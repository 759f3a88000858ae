package io.compactor.core.tune;

import io.compactor.api.Capabilities;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What the search may choose from.
 *
 * @param twoOfFour whether 2:4 is allowed ({@code sparsity.2of4})
 * @param filter whether filter pruning is allowed ({@code sparsity.filter})
 * @param filterRatios the filter-pruning ratios tried per operator, ascending, each in (0, 1)
 * @param int8 the INT8 forms allowed ({@code quant.int8}); empty: no INT8
 */
public record SearchSpace(boolean twoOfFour, boolean filter, List<Double> filterRatios, Set<Choice.Quant> int8) {
  /** Ratios tried when {@code --filter-ratios} is not given. */
  public static final List<Double> DEFAULT_RATIOS = List.of(0.25, 0.5, 0.75);
  /**
   * Ratios tried for {@code --objective latency} when {@code --filter-ratios} is not given: each ratio costs one
   * bundle run per timed group, and a small ratio on a heavy group is where time comes cheapest in quality.
   */
  public static final List<Double> LATENCY_RATIOS = List.of(0.1, 0.25);

  public SearchSpace {
    filterRatios = filterRatios.stream().sorted().distinct().toList();
    int8 = Set.copyOf(Objects.requireNonNull(int8, "int8"));
    for (double r : filterRatios) {
      if (!(r > 0 && r < 1)) {
        throw new IllegalArgumentException("--filter-ratios: each ratio lies strictly between 0 and 1, got " + r);
      }
    }
    if (filter && filterRatios.isEmpty()) {
      throw new IllegalArgumentException("--filter-ratios: empty while filter pruning is allowed; give ratios such as "
          + "0.25,0.5 or leave sparsity.filter out of --capabilities");
    }
    if (int8.contains(Choice.Quant.NONE)) {
      throw new IllegalArgumentException("--int8: allowed forms are static and dynamic, got none");
    }
  }

  /** @return the ratios tried for an objective when {@code --filter-ratios} is not given */
  public static List<Double> defaultRatios(Objective objective) {
    return objective == Objective.LATENCY ? LATENCY_RATIOS : DEFAULT_RATIOS;
  }

  /**
   * @param capabilities capability ids, e.g. {@code sparsity.filter}
   * @param filterRatios ratios for filter pruning
   * @param int8 INT8 forms
   * @return the space
   * @throws IllegalArgumentException naming an unknown capability and the known ones
   */
  public static SearchSpace of(Set<String> capabilities, List<Double> filterRatios, Set<Choice.Quant> int8) {
    Set<String> known = Set.of(Capabilities.SPARSITY_2OF4, Capabilities.SPARSITY_FILTER, Capabilities.QUANT_INT8);
    for (String c : capabilities) {
      if (!known.contains(c)) {
        throw new IllegalArgumentException("--capabilities: unknown capability '" + c + "'; the search chooses among "
            + Capabilities.SPARSITY_2OF4 + ", " + Capabilities.SPARSITY_FILTER + " and " + Capabilities.QUANT_INT8);
      }
    }
    return new SearchSpace(capabilities.contains(Capabilities.SPARSITY_2OF4),
        capabilities.contains(Capabilities.SPARSITY_FILTER), filterRatios,
        capabilities.contains(Capabilities.QUANT_INT8) ? int8 : Set.of());
  }
}
