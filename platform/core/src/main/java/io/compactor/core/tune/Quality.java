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

  /**
   * @return the quality with an undefined mean cosine (NaN: some output row went to zero, as under an INT8 range
   *     an outlier stretched) taken as 0, so it ranks and misses budgets as the worst output does
   */
  static Quality measured(Optional<Double> dropPoints, double meanCosine) {
    return new Quality(dropPoints, Double.isNaN(meanCosine) ? 0 : meanCosine);
  }
}
