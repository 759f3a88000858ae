package io.compactor.core.tune;

import java.util.Arrays;
import java.util.Locale;

/**
 * A candidate's time against the original's from several rounds in turns: the median ratio and a distribution-free
 * interval for it. The interval is the order-statistic one (sorted ratios {@code x(k)} and {@code x(n+1-k)}, {@code k}
 * from the binomial distribution with p = ½): it needs no assumption about how load spreads the readings, and the
 * same ratios always give the same interval.
 *
 * @param median the median of the per-round ratios: below 1 is faster than the original
 * @param low lower end of the {@link #CONFIDENCE} interval of that median
 * @param high upper end of it
 * @param rounds how many rounds were timed
 */
public record LatencyEstimate(double median, double low, double high, int rounds) {
  /** Coverage of the interval. */
  static final double CONFIDENCE = 0.95;
  /** The fewest rounds with a {@link #CONFIDENCE} interval at all: for 6, [min, max] covers 1 − 2/2⁶ = 96.9 %. */
  static final int MIN_ROUNDS = 6;

  /**
   * @param ratios one ratio per round, at least {@link #MIN_ROUNDS}
   * @return their median and its interval
   */
  static LatencyEstimate of(double[] ratios) {
    int n = ratios.length;
    if (n < MIN_ROUNDS) {
      throw new IllegalArgumentException("an interval of the median needs " + MIN_ROUNDS + " rounds, got " + n);
    }
    double[] x = ratios.clone();
    Arrays.sort(x);
    double median = n % 2 == 1 ? x[n / 2] : (x[n / 2 - 1] + x[n / 2]) / 2;
    int k = rank(n);
    return new LatencyEstimate(median, x[k - 1], x[n - k], n);
  }

  /** @return the largest k ≥ 1 with P(Binomial(n, ½) ≤ k − 1) ≤ (1 − {@link #CONFIDENCE}) / 2 */
  static int rank(int n) {
    double tail = (1 - CONFIDENCE) / 2;
    double p = Math.pow(0.5, n); // P(B = 0)
    double cdf = p;
    int k = 1;
    while (k < n / 2) {
      p = p * (n - (k - 1)) / k; // P(B = k)
      if (cdf + p > tail) {
        break;
      }
      cdf += p;
      k++;
    }
    return k;
  }

  /** @return whether the interval lies below 1: faster than the original, resolved */
  boolean faster() {
    return high < 1;
  }

  /** @return whether the interval lies above 1: slower than the original, resolved */
  boolean slower() {
    return low > 1;
  }

  /** @return whether this interval lies wholly above {@code other}'s: slower than it, resolved */
  boolean slowerThan(LatencyEstimate other) {
    return low > other.high;
  }

  /** @return e.g. {@code ×0.967 (95 % interval ×0.951–0.982, 24 rounds)} */
  String describe() {
    return String.format(Locale.ROOT, "×%.3f (%.0f %% interval ×%.3f–%.3f, %d rounds)", median, 100 * CONFIDENCE,
        low, high, rounds);
  }
}
