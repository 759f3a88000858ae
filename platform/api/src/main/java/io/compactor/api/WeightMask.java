package io.compactor.api;

import io.compactor.onnx.tensor.Tensor;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Objects;

/**
 * Which entries of one weight initializer a sparsity step zeroed and every later step must keep at exactly
 * zero (retraining re-applies it after each update). Channels a step removed are not masked: they are gone
 * from the tensors. Immutable.
 *
 * @param node the layer that reads the weight
 * @param weight the weight initializer
 * @param shape the weight's shape
 * @param zeros the held entries, as flat row-major indices into the weight
 * @since 1.3.0
 */
public record WeightMask(String node, String weight, long[] shape, BitSet zeros) {
  public WeightMask {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(weight, "weight");
    shape = shape.clone();
    zeros = (BitSet) zeros.clone();
    long size = Arrays.stream(shape).reduce(1, Math::multiplyExact);
    if (zeros.length() > size) {
      throw new IllegalArgumentException("mask of " + weight + " holds index " + (zeros.length() - 1)
          + " beyond the weight's " + size + " entries");
    }
  }

  /**
   * @param node the layer
   * @param weight the weight initializer's name
   * @param values the weight as the sparsity step left it
   * @return a mask holding every entry that is zero in {@code values}
   */
  public static WeightMask ofZeros(String node, String weight, Tensor values) {
    float[] v = values.floats();
    BitSet zeros = new BitSet(v.length);
    for (int i = 0; i < v.length; i++) {
      if (v[i] == 0) {
        zeros.set(i);
      }
    }
    return new WeightMask(node, weight, values.shape(), zeros);
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  @Override
  public BitSet zeros() {
    return (BitSet) zeros.clone();
  }

  /** @return whether flat index {@code i} must stay zero */
  public boolean held(int i) {
    return zeros.get(i);
  }

  /** @return how many entries are held at zero */
  public int count() {
    return zeros.cardinality();
  }

  /**
   * Sets every held entry of {@code values} to zero.
   *
   * @param values the weight, row-major, modified in place
   * @throws IllegalArgumentException when the length differs from the mask's shape
   */
  public void apply(float[] values) {
    long size = Arrays.stream(shape).reduce(1, Math::multiplyExact);
    if (values.length != size) {
      throw new IllegalArgumentException("mask of " + weight + " is for " + size + " entries, got " + values.length);
    }
    for (int i = zeros.nextSetBit(0); i >= 0; i = zeros.nextSetBit(i + 1)) {
      values[i] = 0f;
    }
  }

  /**
   * @param values the weight, row-major
   * @return the first held index whose value is not zero, or -1
   */
  public int firstViolation(float[] values) {
    for (int i = zeros.nextSetBit(0); i >= 0 && i < values.length; i = zeros.nextSetBit(i + 1)) {
      if (values[i] != 0f) {
        return i;
      }
    }
    return -1;
  }
}
