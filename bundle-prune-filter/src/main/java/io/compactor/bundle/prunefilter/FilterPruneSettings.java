package io.compactor.bundle.prunefilter;

import io.compactor.api.FilterPruneKeys;
import io.compactor.api.LayerTask;
import io.compactor.api.StepException;

/**
 * The resolved filter-pruning settings of one producer, read with the api's {@link FilterPruneKeys}
 * (AMCT's {@code balanced_l2_norm_filter_prune}).
 *
 * @param pruneRatio {@code prune_ratio}: the fraction of output filters to remove, 0 &lt; r &lt; 1
 * @param ascendOptimized {@code ascend_optimized}: round the kept count up to a multiple of 16
 */
record FilterPruneSettings(double pruneRatio, boolean ascendOptimized) {
  /**
   * @param task the layer and its settings
   * @return the settings; {@code ascend_optimized} defaults to true (the proto default)
   * @throws StepException naming the key and value when {@code prune_ratio} is missing or out of range
   */
  static FilterPruneSettings of(LayerTask task) {
    return new FilterPruneSettings(FilterPruneKeys.PRUNE_RATIO.get(task), FilterPruneKeys.ASCEND_OPTIMIZED.get(task));
  }
}
