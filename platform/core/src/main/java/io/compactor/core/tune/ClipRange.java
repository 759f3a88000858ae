package io.compactor.core.tune;

/**
 * A stand-in of the INT8 step's range for one activation: an asymmetric UINT8 grid whose bounds are searched
 * between 30 % and 100 % of the observed extremes for the smallest squared error over a histogram of the
 * calibration values, as the step does (it also weights each value by its channel's importance to the layers;
 * this does not). Filled in two passes: {@link #observe} every value, then {@link #add} every value again.
 */
final class ClipRange {
  private static final int BINS = 2048;
  private static final int STEPS = 255;
  private static final int CANDIDATES = 50;
  private static final double LOWEST = 0.3;

  private double min = Double.POSITIVE_INFINITY;
  private double max = Double.NEGATIVE_INFINITY;
  private double sumSquares;
  private long zeros;
  private double[] mass;
  private double start;
  private double width;

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
      return (hi - lo) / STEPS;
    }

    /** @return the code that stands for 0 */
    double zeroPoint() {
      return Math.max(0, Math.min(STEPS, Math.rint(-lo / scale())));
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
    if (mass == null) {
      start = Math.min(min, 0);
      width = Math.max(Math.max(max, 0) - start, Double.MIN_NORMAL) / BINS;
      mass = new double[BINS];
    }
    for (float f : values) {
      mass[Math.max(0, Math.min(BINS - 1, (int) ((f - start) / width)))]++;
      if (f == 0) {
        zeros++;
      }
    }
  }

  /** @return the range with the smallest error, by coordinate descent on the two bounds */
  Range search() {
    if (mass == null || !(Math.max(max, 0) > Math.min(min, 0))) {
      return new Range(Math.min(min, 0), Math.min(min, 0) + 1, 0, 0);
    }
    double lo0 = Math.min(min, 0);
    double hi0 = Math.max(max, 0);
    double lo = lo0;
    double hi = hi0;
    for (int round = 0; round < 3; round++) {
      hi = best(lo, hi0, true);
      lo = lo0 == 0 ? 0 : best(hi, lo0, false);
    }
    return new Range(lo, hi, sumSquares == 0 ? 0 : Math.sqrt(error(lo, hi) / sumSquares), zeroed((hi - lo) / STEPS));
  }

  /** @return share of the non-zero values in bins whose centre lies within half a step of 0 */
  private double zeroed(double step) {
    double near = 0;
    double all = 0;
    for (int b = 0; b < BINS; b++) {
      all += mass[b];
      if (Math.abs(start + (b + 0.5) * width) < step / 2) {
        near += mass[b];
      }
    }
    double nonZero = all - zeros;
    return nonZero <= 0 ? 0 : Math.max(0, Math.min(1, (near - zeros) / nonZero));
  }

  private double best(double other, double extreme, boolean upper) {
    double best = extreme;
    double bestError = Double.POSITIVE_INFINITY;
    for (int k = 0; k <= CANDIDATES; k++) {
      double c = extreme * (1 - (1 - LOWEST) * k / CANDIDATES);
      if (upper ? c <= other : c >= other) {
        continue;
      }
      double e = upper ? error(other, c) : error(c, other);
      if (e < bestError) {
        bestError = e;
        best = c;
      }
    }
    return best;
  }

  private double error(double lo, double hi) {
    double s = (hi - lo) / STEPS;
    double inside = s * s / 12;
    double total = 0;
    for (int b = 0; b < BINS; b++) {
      if (mass[b] == 0) {
        continue;
      }
      double v = start + (b + 0.5) * width;
      double e = v > hi ? v - hi : v < lo ? lo - v : 0;
      total += mass[b] * (e == 0 ? inside : e * e);
    }
    return total;
  }
}
