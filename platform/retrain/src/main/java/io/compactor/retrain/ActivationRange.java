package io.compactor.retrain;

/**
 * An asymmetric UINT8 activation range {@code [lo, hi]} with {@code lo ≤ 0 ≤ hi}, so zero is exactly
 * representable: {@code scale = (hi − lo) / 255}, {@code zeroPoint = round(−lo / scale)}. A range pinned
 * at {@code lo = 0} (fixed_min) has zero point 0.
 *
 * @param lo lower clip, at most 0
 * @param hi upper clip, at least 0 and above {@code lo}
 */
public record ActivationRange(double lo, double hi) {
  /** Number of steps of the UINT8 grid. */
  public static final int STEPS = 255;

  public ActivationRange {
    if (!(lo <= 0) || !(hi >= 0) || !(hi > lo) || !Double.isFinite(lo) || !Double.isFinite(hi)) {
      throw new IllegalArgumentException("activation range must satisfy lo <= 0 <= hi and lo < hi, got [" + lo + ", "
          + hi + "]");
    }
  }

  /** @return the grid step */
  public double scale() {
    return (hi - lo) / STEPS;
  }

  /** @return the code that represents 0, in {@code [0, 255]} */
  public int zeroPoint() {
    return (int) Math.max(0, Math.min(STEPS, Math.rint(-lo / scale())));
  }

  /** @return this range with the scale rounded to fp16 precision (AMCT's FORCE_FP16_QUANT) */
  public ActivationRange withFp16Scale() {
    double s = roundToFp16(scale());
    int zp = zeroPoint();
    return new ActivationRange(-zp * s, (STEPS - zp) * s);
  }

  /** @return {@code v} quantized and dequantized on this grid, as ONNX QuantizeLinear/DequantizeLinear do */
  public double fake(double v) {
    double s = scale();
    int zp = zeroPoint();
    double q = Math.max(0, Math.min(STEPS, Math.rint(v / s) + zp));
    return (q - zp) * s;
  }

  /** @return {@code v} with its significand rounded to the 11 bits of an IEEE half (normal range only) */
  static double roundToFp16(double v) {
    if (v == 0 || !Double.isFinite(v)) {
      return v;
    }
    int e = Math.getExponent(v);
    return Math.scalb(Math.rint(Math.scalb(v, 10 - e)), e - 10);
  }
}
