package io.compactor.bundle.retraindistill.training;

import java.util.Arrays;

/**
 * The int8 grid a weight is deployed on, held fixed through training: the forward pass reads the weight
 * fake-quantized on it ({@link FakeQuant}, straight through), so the trained weights are the ones the deploy
 * model's codes come from.
 *
 * @param axis the weight axis of per-channel scales, or -1 for one scale
 * @param scales one positive scale per channel, or one
 * @param qmax the largest code; the grid is symmetric, {@code −qmax..qmax}
 */
public record WeightGrid(int axis, float[] scales, int qmax) {
  public WeightGrid {
    scales = scales.clone();
    if (scales.length == 0 || axis < 0 && scales.length != 1) {
      throw new IllegalArgumentException("a weight grid has one scale per channel or one scale, got "
          + scales.length + " with axis " + axis);
    }
    for (float s : scales) {
      if (!(s > 0) || !Float.isFinite(s)) {
        throw new IllegalArgumentException("weight scales must be positive, got " + Arrays.toString(scales));
      }
    }
    if (qmax < 1) {
      throw new IllegalArgumentException("qmax must be at least 1, got " + qmax);
    }
  }

  /** @return the shape the scales take to broadcast against a weight of {@code rank} */
  long[] broadcastShape(int rank) {
    long[] shape = new long[rank];
    Arrays.fill(shape, 1);
    if (axis >= 0) {
      shape[axis] = scales.length;
    }
    return shape;
  }

  @Override
  public float[] scales() {
    return scales.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WeightGrid g && g.axis == axis && g.qmax == qmax && Arrays.equals(g.scales, scales);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * axis + qmax) + Arrays.hashCode(scales);
  }

  @Override
  public String toString() {
    return "WeightGrid[axis=" + axis + ", scales=" + scales.length + ", qmax=" + qmax + "]";
  }
}
