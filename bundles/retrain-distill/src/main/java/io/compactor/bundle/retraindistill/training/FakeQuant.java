package io.compactor.bundle.retraindistill.training;

import ai.djl.ndarray.NDArray;
import io.compactor.bundle.retraindistill.program.ops.QuantOps;
import java.util.Objects;

/**
 * Quantization in the forward pass, straight through in the backward pass: {@code s · clip(round(w / s), qmin,
 * qmax)} where {@code round} passes gradients unchanged ({@code v + stopGradient(round(v) − v)}), so both the
 * value {@code w} and the scale {@code s} learn (LSQ-style); entries clipped at the range get no gradient to
 * {@code w}. The grid is symmetric (zero point 0), the form the INT8 step uses for weights.
 *
 * @param qmin smallest code, e.g. −127 for symmetric int8 weights
 * @param qmax largest code, e.g. 127
 */
public record FakeQuant(int qmin, int qmax) {
  /** Symmetric int8 weights, the INT8 step's grid. */
  public static final FakeQuant INT8_WEIGHTS = new FakeQuant(-127, 127);

  public FakeQuant {
    if (qmin >= qmax) {
      throw new IllegalArgumentException("qmin must be below qmax, got " + qmin + " and " + qmax);
    }
  }

  /**
   * @param value the float values (a weight, or an activation)
   * @param scale a scalar, or one scale per channel already shaped to broadcast against {@code value}
   * @return the fake-quantized values, differentiable in both
   */
  public NDArray apply(NDArray value, NDArray scale) {
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(scale, "scale");
    NDArray codes = roundStraightThrough(value.div(scale)).clip(qmin, qmax);
    return codes.mul(scale);
  }

  /** @return the integer codes, as floats, that {@link #apply} multiplies by the scale (no gradient) */
  public NDArray codes(NDArray value, NDArray scale) {
    return value.div(scale).round().clip(qmin, qmax).stopGradient();
  }

  /** @return {@code round(v)} forward, the identity backward (the same trick as the QuantizeLinear converter) */
  public static NDArray roundStraightThrough(NDArray v) {
    return QuantOps.roundStraightThrough(v);
  }
}
