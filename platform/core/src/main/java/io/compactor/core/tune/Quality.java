package io.compactor.core.tune;

import java.util.Optional;

/**
 * What a model keeps on the eval data, against the original.
 *
 * @param dropPoints top-1 points lost (negative: gained), when the eval data has labels
 * @param meanCosine mean cosine of the first output to the original's
 */
public record Quality(Optional<Double> dropPoints, double meanCosine) {
  /** The original itself. */
  public static final Quality LOSSLESS = new Quality(Optional.of(0.0), 1.0);
}
