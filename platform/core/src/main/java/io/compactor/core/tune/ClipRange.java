package io.compactor.core.tune;

import io.compactor.retrain.ActivationRange;
import io.compactor.retrain.RangeHistogram;

/**
 * A stand-in of the INT8 step's range for one activation: the step's own error-minimizing search
 * ({@link RangeHistogram}, bounds between 30 % and 100 % of the observed extremes) over the calibration values,
 * every value weighted alike (the step also weights each value by its channel's importance to the layers).
 * Filled in two passes: {@link #observe} every value, then {@link #add} every value again.
 */
final class ClipRange {
  /** The band the step searches each bound in, as fractions of the observed extreme (AMCT's 0.3× to 1×). */
  private static final double[] BAND = {0.3, 1};

  private double min = Double.POSITIVE_INFINITY;
  private double max = Double.NEGATIVE_INFINITY;
  private double sumSquares;
  private long values;
  private long zeros;
  private RangeHistogram histogram;

  /**
   * The range found.
   *
   * @param lo the lower bound, at most 0
   * @param hi the upper bound, above {@code lo}
   * @param relativeError ‖x − fq(x)‖ / ‖x‖ over the values (rounding error estimated as step² / 12); small
   *     for an outlier tensor, whose energy is in the outliers
   * @param zeroed share of the non-zero values within half a step of 0, which quantize to 0: what an outlier
   *     does to the other values
   */
  record Range(double lo, double hi, double relativeError, double zeroed) {
    /** @return the grid step */
    double scale() {
      return grid().scale();
    }

    /** @return the code that stands for 0 */
    int zeroPoint() {
      return grid().zeroPoint();
    }

    private ActivationRange grid() {
      return new ActivationRange(lo, hi);
    }
  }

  /** First pass: the extremes and the energy. */
  void observe(float[] values) {
    for (float f : values) {
      min = Math.min(min, f);
      max = Math.max(max, f);
      sumSquares += (double) f * f;
    }
  }

  /** Second pass: the histogram over the observed span (widened to include 0). */
  void add(float[] values) {
    if (histogram == null) {
      histogram = new RangeHistogram(min, max);
    }
    for (float f : values) {
      histogram.add(f, 1);
      this.values++;
      if (f == 0) {
        zeros++;
      }
    }
  }

  /** @return the range with the smallest error */
  Range search() {
    if (histogram == null) {
      double lo = Double.isFinite(min) ? Math.min(min, 0) : 0;
      return new Range(lo, lo + 1, 0, 0);
    }
    ActivationRange r = histogram.search(false, null, BAND);
    double error = sumSquares == 0 ? 0 : Math.sqrt(histogram.error(r.lo(), r.hi()) / sumSquares);
    return new Range(r.lo(), r.hi(), error, zeroed(r.scale()));
  }

  /** @return share of the non-zero values in bins whose centre lies within half a step of 0 */
  private double zeroed(double step) {
    double nonZero = values - zeros;
    return nonZero <= 0 ? 0 : Math.max(0, Math.min(1, (histogram.massNearZero(step / 2) - zeros) / nonZero));
  }
}
