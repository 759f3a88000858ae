package io.compactor.api;

import java.util.List;

/**
 * The settings of capability {@value Capabilities#SPARSITY_FILTER}, from AMCT's
 * {@code balanced_l2_norm_filter_prune}.
 *
 * @since 1.2.0
 */
public final class FilterPruneKeys {
  /** The fraction of output filters to remove. */
  public static final SettingKey<Double> PRUNE_RATIO =
      SettingKey.builder(Capabilities.SPARSITY_FILTER, "prune_ratio", Double.class)
          .meaning("the fraction of output filters to remove")
          .allowed(r -> r > 0 && r < 1, "between 0 and 1 (exclusive)")
          .fix("use e.g. 0.3 to remove 30 % of the filters")
          .always().build();
  /** Round the kept filter count up to a multiple of 16. */
  public static final SettingKey<Boolean> ASCEND_OPTIMIZED =
      SettingKey.builder(Capabilities.SPARSITY_FILTER, "ascend_optimized", Boolean.class)
          .meaning("round the kept filter count up to a multiple of 16")
          .defaultValue(true).always().build();
  /** Every key, in the order of {@code docs/config.md}. */
  public static final List<SettingKey<?>> ALL = List.of(PRUNE_RATIO, ASCEND_OPTIMIZED);

  private FilterPruneKeys() {}
}
