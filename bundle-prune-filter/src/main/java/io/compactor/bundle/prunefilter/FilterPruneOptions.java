package io.compactor.bundle.prunefilter;

/**
 * How the step recovers accuracy after removing channels.
 *
 * @param refit re-fit the consumers of removed channels by ridge least squares (false: plain L2 pruning)
 * @param relativeDamping the ridge's pull towards the consumer's remaining weights, as a fraction of the
 *     mean diagonal of its input Gram matrix
 */
record FilterPruneOptions(boolean refit, double relativeDamping) {
  /** The service's defaults: re-fit with 1 % damping. */
  static final FilterPruneOptions DEFAULTS = new FilterPruneOptions(true, 0.01);

  FilterPruneOptions {
    if (!(relativeDamping > 0)) {
      throw new IllegalArgumentException("relative damping must be > 0, got " + relativeDamping);
    }
  }

  /** @return the same options without re-fitting */
  FilterPruneOptions withoutRefit() {
    return new FilterPruneOptions(false, relativeDamping);
  }

  /** @return the same options with another damping */
  FilterPruneOptions withDamping(double damping) {
    return new FilterPruneOptions(refit, damping);
  }
}
