package io.compactor.bundle.prunefilter;

import io.compactor.api.Capabilities;
import io.compactor.api.LayerTask;
import io.compactor.api.StepException;

/**
 * The resolved filter-pruning settings of one producer, read from AMCT's
 * {@code balanced_l2_norm_filter_prune} keys.
 *
 * @param pruneRatio {@code prune_ratio}: the fraction of output filters to remove, 0 &lt; r &lt; 1
 * @param ascendOptimized {@code ascend_optimized}: round the kept count up to a multiple of 16
 */
record FilterPruneSettings(double pruneRatio, boolean ascendOptimized) {
  /** Settings key of the ratio. */
  static final String PRUNE_RATIO = "prune_ratio";
  /** Settings key of the alignment flag. */
  static final String ASCEND_OPTIMIZED = "ascend_optimized";

  /**
   * @param task the layer and its settings
   * @return the settings; {@code ascend_optimized} defaults to true (the proto default)
   * @throws StepException naming the key and value when {@code prune_ratio} is missing or out of range
   */
  static FilterPruneSettings of(LayerTask task) {
    double ratio = task.settings().number(PRUNE_RATIO).orElseThrow(() -> new StepException(
        Capabilities.SPARSITY_FILTER, task.node(), PRUNE_RATIO + ": missing; set balanced_l2_norm_filter_prune "
        + "{ prune_ratio: 0.3 } for this layer"));
    if (!(ratio > 0 && ratio < 1)) {
      throw new StepException(Capabilities.SPARSITY_FILTER, task.node(), PRUNE_RATIO + ": must satisfy 0 < r < 1, got "
          + ratio + "; use e.g. 0.3 to remove 30 % of the filters");
    }
    return new FilterPruneSettings(ratio, task.settings().bool(ASCEND_OPTIMIZED).orElse(true));
  }
}
