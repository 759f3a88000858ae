package io.compactor.api;

import java.util.Objects;

/**
 * The symmetric integer grid of one quantized weight (zero point 0): {@code code = clamp(round(w / scale),
 * -qmax, qmax)}. The deploy model stores these codes; the training form holds float weights that
 * retraining moves through this grid's fake quantization (straight-through rounding) without changing it.
 *
 * @param axis the weight axis the scales run along (per-channel), or -1 for one scale
 * @param scales the scales in the units of the ONNX weight tensor: one per channel along {@code axis}, or one
 * @param qmax the largest code: 127, or the narrower bound of the dynamic {@code MatMulInteger} grid
 * @since 1.3.0
 */
public record WeightGrid(int axis, double[] scales, int qmax) {
  public WeightGrid {
    scales = Objects.requireNonNull(scales, "scales").clone();
    if (scales.length == 0 || axis < 0 && scales.length != 1) {
      throw new IllegalArgumentException("a grid needs one scale, or one per channel with an axis; got "
          + scales.length + " scales on axis " + axis);
    }
    if (qmax < 1 || qmax > 127) {
      throw new IllegalArgumentException("qmax must be from 1 to 127, got " + qmax);
    }
    for (double s : scales) {
      if (!(s > 0 && Double.isFinite(s))) {
        throw new IllegalArgumentException("weight scales must be finite and positive, got " + s);
      }
    }
  }

  @Override
  public double[] scales() {
    return scales.clone();
  }

  /** @return whether there is one scale per channel */
  public boolean perChannel() {
    return axis >= 0;
  }

  /**
   * @param channel the index along {@link #axis()}; ignored per tensor
   * @return the scale of that channel
   */
  public double scale(int channel) {
    return scales[axis < 0 ? 0 : channel];
  }
}
