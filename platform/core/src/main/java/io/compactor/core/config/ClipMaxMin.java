package io.compactor.core.config;

/**
 * AMCT's {@code clip_max_min}: the starting activation clip range, learned during retraining afterwards.
 * Both ends are required; the range must contain zero.
 *
 * @param clipMax the upper end, positive
 * @param clipMin the lower end, negative
 */
public record ClipMaxMin(double clipMax, double clipMin) {
  public ClipMaxMin {
    if (!(clipMax > 0) || Double.isInfinite(clipMax)) {
      throw new IllegalArgumentException("clip_max must be a positive finite number, got " + clipMax);
    }
    if (!(clipMin < 0) || Double.isInfinite(clipMin)) {
      throw new IllegalArgumentException("clip_min must be a negative finite number, got " + clipMin);
    }
  }
}
