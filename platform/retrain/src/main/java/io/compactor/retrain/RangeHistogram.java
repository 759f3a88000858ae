package io.compactor.retrain;

import java.util.Arrays;

/**
 * A weighted histogram of one activation tensor's values over a fixed span, and the error-minimizing
 * search for its UINT8 clip range. Each value carries a weight, e.g. {@code ||W[:, c]||²} of the layer
 * column its channel feeds, so the search minimizes an estimate of the layer's output error rather than
 * the activation's: {@code Σ weight × (x − fq(x))²}, with the rounding error of values inside the range
 * taken as {@code scale² / 12} and the clipping error of values outside exact (per bin centre).
 */
public final class RangeHistogram {
  /** Bins per histogram. */
  public static final int BINS = 2048;
  /** Candidate bounds tried per side, from the observed extreme down to 30 % of it (AMCT's 0.3× to 1×). */
  static final int STEPS = 140;
  private final double min;
  private final double max;
  private final double[] mass = new double[BINS];
  private final double width;

  /**
   * @param min the smallest value that will be added (observed minimum)
   * @param max the largest value that will be added
   */
  public RangeHistogram(double min, double max) {
    if (!Double.isFinite(min) || !Double.isFinite(max) || max < min) {
      throw new IllegalArgumentException("histogram span must be finite with min <= max, got [" + min + ", " + max
          + "]");
    }
    this.min = Math.min(min, 0);
    this.max = Math.max(max, 0);
    this.width = Math.max(this.max - this.min, Double.MIN_NORMAL) / BINS;
  }

  /** Adds one value with a weight (values outside the span go to the edge bins). */
  public void add(double value, double weight) {
    int b = (int) ((value - min) / width);
    mass[Math.max(0, Math.min(BINS - 1, b))] += weight;
  }

  /** @return the observed span, widened to include 0 */
  public ActivationRange span() {
    return max > min ? new ActivationRange(min, max) : new ActivationRange(min, min + 1);
  }

  /**
   * @param lo candidate lower clip, ≤ 0
   * @param hi candidate upper clip, ≥ 0
   * @return the weighted squared error of quantizing the histogram to {@code [lo, hi]}
   */
  public double error(double lo, double hi) {
    double s = (hi - lo) / ActivationRange.STEPS;
    double inside = s * s / 12;
    double total = 0;
    for (int b = 0; b < BINS; b++) {
      if (mass[b] == 0) {
        continue;
      }
      double v = min + (b + 0.5) * width;
      double e = v > hi ? v - hi : v < lo ? lo - v : 0;
      total += mass[b] * (e == 0 ? inside : e * e);
    }
    return total;
  }

  /**
   * @param radius distance from 0
   * @return the mass of the bins whose centre lies within {@code radius} of 0: the values a grid with step
   *     {@code 2 · radius} rounds to 0
   * @since 2.2.0
   */
  public double massNearZero(double radius) {
    double near = 0;
    for (int b = 0; b < BINS; b++) {
      if (Math.abs(min + (b + 0.5) * width) < radius) {
        near += mass[b];
      }
    }
    return near;
  }

  /**
   * Searches the range by coordinate descent on the two bounds.
   *
   * @param fixedMin pin the lower bound at 0
   * @param initial the starting range (e.g. a configured clip_max_min) or null for the observed span
   * @param band how far the bounds may move: each bound is searched between {@code band[0]} and
   *     {@code band[1]} times its starting value
   * @return the range with the smallest error
   */
  public ActivationRange search(boolean fixedMin, ActivationRange initial, double[] band) {
    ActivationRange start = initial != null ? initial : span();
    double lo = fixedMin ? 0 : start.lo();
    double hi = start.hi();
    double[] loCandidates = fixedMin || lo == 0 ? new double[] {0} : candidates(start.lo(), band);
    double[] hiCandidates = hi == 0 ? new double[] {0} : candidates(hi, band);
    for (int round = 0; round < 3; round++) {
      hi = best(lo, hiCandidates, true);
      lo = best(hi, loCandidates, false);
    }
    if (!(hi > lo)) {
      hi = lo + Math.max(width, 1e-8);
    }
    return new ActivationRange(lo, hi);
  }

  private double best(double other, double[] candidates, boolean upper) {
    double best = candidates[0];
    double bestError = Double.POSITIVE_INFINITY;
    for (double c : candidates) {
      if ((upper ? c - other : other - c) <= 0) {
        continue;
      }
      double err = upper ? error(other, c) : error(c, other);
      if (err < bestError) {
        bestError = err;
        best = c;
      }
    }
    return best;
  }

  private static double[] candidates(double start, double[] band) {
    double[] c = new double[STEPS + 1];
    for (int k = 0; k <= STEPS; k++) {
      c[k] = start * (band[1] - (band[1] - band[0]) * k / STEPS);
    }
    return c;
  }

  @Override
  public String toString() {
    return "RangeHistogram[" + min + ", " + max + "], mass " + Arrays.stream(mass).sum();
  }
}
