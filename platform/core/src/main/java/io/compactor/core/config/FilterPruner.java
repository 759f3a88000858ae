package io.compactor.core.config;

import io.compactor.api.Capabilities;

/**
 * AMCT's {@code filter_pruner { balanced_l2_norm_filter_prune { ... } }}: balanced L2-norm filter
 * pruning, capability {@value Capabilities#SPARSITY_FILTER}.
 *
 * @param pruneRatio the fraction of output filters removed, strictly between 0 and 1
 * @param ascendOptimized round the kept filter count up to a multiple of 16 (proto default true)
 */
public record FilterPruner(double pruneRatio, boolean ascendOptimized) implements PruneConfig {
  public FilterPruner {
    if (!(pruneRatio > 0 && pruneRatio < 1)) {
      throw new IllegalArgumentException("prune_ratio must be in (0, 1), got " + pruneRatio);
    }
  }

  @Override
  public String capability() {
    return Capabilities.SPARSITY_FILTER;
  }

  @Override
  public String field() {
    return "filter_pruner";
  }

  @Override
  public String label() {
    return "filter pruning";
  }
}
