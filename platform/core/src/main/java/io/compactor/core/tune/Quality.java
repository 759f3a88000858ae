package io.compactor.core.tune;

import java.util.Optional;

/**
 * What a model keeps on the eval data, against the original.
 *
 * @param dropPoints top-1 points lost (negative: gained), when the eval data has labels
 * @param meanCosine mean cosine of the first output to the original's
 * @param samples eval samples measured; 0 when not known
 * @param changedTop1 samples whose top-1 class differs from the original's (known when {@code samples} is)
 */
public record Quality(Optional<Double> dropPoints, double meanCosine, int samples, int changedTop1) {
  /** The original itself. */
  public static final Quality LOSSLESS = new Quality(Optional.of(0.0), 1.0);

  /** A quality without sample counts. */
  public Quality(Optional<Double> dropPoints, double meanCosine) {
    this(dropPoints, meanCosine, 0, 0);
  }

  /**
   * @return the quality with an undefined mean cosine (NaN: some output row went to zero, as under an INT8 range
   *     an outlier stretched) taken as 0, so it ranks and misses budgets as the worst output does
   */
  static Quality measured(Optional<Double> dropPoints, double meanCosine) {
    return measured(dropPoints, meanCosine, 0, 0);
  }

  /** As {@link #measured(Optional, double)}, with the sample counts. */
  static Quality measured(Optional<Double> dropPoints, double meanCosine, int samples, int changedTop1) {
    return new Quality(dropPoints, Double.isNaN(meanCosine) ? 0 : meanCosine, samples, changedTop1);
  }

  /**
   * The drop's sampling noise: how much it would move on another eval set of the same size and kind. The drop
   * is the mean over the samples of d = (original right) − (compressed right), which is ±1 only where the two
   * top-1 classes differ and 0 elsewhere, so d's variance is at most {@code changedTop1 / samples − mean²}
   * (exactly that with two classes; with more, a sample both get wrong in different ways counts as changed).
   *
   * @return the standard error of {@code dropPoints}, in points, when the drop and the sample counts are known
   */
  public Optional<Double> dropStandardError() {
    if (dropPoints.isEmpty() || samples <= 0) {
      return Optional.empty();
    }
    double mean = dropPoints.get() / 100;
    double variance = Math.max(0, (double) changedTop1 / samples - mean * mean);
    return Optional.of(100 * Math.sqrt(variance / samples));
  }
}
