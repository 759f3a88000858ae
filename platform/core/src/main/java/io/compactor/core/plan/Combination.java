package io.compactor.core.plan;

import io.compactor.api.Capabilities;
import java.util.Optional;

/**
 * What one operator gets: at most one sparsity method and at most one quantization method. Filter
 * pruning and 2:4 never combine.
 */
public enum Combination {
  /** Left as it is. */
  NONE("none"),
  /** INT8 only. */
  INT8("int8"),
  /** Filter pruning only. */
  FILTER("filter"),
  /** Filter pruning, then INT8. */
  FILTER_INT8("filter+int8"),
  /** 2:4 sparsity only. */
  TWO_OF_FOUR("2of4"),
  /** 2:4 sparsity, then INT8. */
  TWO_OF_FOUR_INT8("2of4+int8");

  private final String label;

  Combination(String label) {
    this.label = label;
  }

  /** @return the short name used in tables, JSON and totals, e.g. {@code 2of4+int8} */
  public String label() {
    return label;
  }

  /**
   * @param sparsity the sparsity capability, if any
   * @param quantization the quantization capability, if any
   * @return the combination
   * @throws IllegalArgumentException for a capability outside the three built-in ones
   */
  public static Combination of(Optional<String> sparsity, Optional<String> quantization) {
    boolean int8 = quantization.map(q -> require(q, Capabilities.QUANT_INT8)).isPresent();
    if (sparsity.isEmpty()) {
      return int8 ? INT8 : NONE;
    }
    return switch (sparsity.get()) {
      case Capabilities.SPARSITY_FILTER -> int8 ? FILTER_INT8 : FILTER;
      case Capabilities.SPARSITY_2OF4 -> int8 ? TWO_OF_FOUR_INT8 : TWO_OF_FOUR;
      default -> throw new IllegalArgumentException("not a sparsity capability of the AMCT vocabulary: "
          + sparsity.get());
    };
  }

  private static String require(String capability, String expected) {
    if (!capability.equals(expected)) {
      throw new IllegalArgumentException("not a quantization capability of the AMCT vocabulary: " + capability);
    }
    return capability;
  }
}
