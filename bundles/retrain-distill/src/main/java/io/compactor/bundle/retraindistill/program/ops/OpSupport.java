package io.compactor.bundle.retraindistill.program.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import io.compactor.onnx.graph.Node;
import java.util.Arrays;
import java.util.Optional;

/** Small helpers the converter families share: attributes, axes and one-output results. */
final class OpSupport {
  private OpSupport() {}

  static NDList one(NDArray value) {
    return new NDList(value);
  }

  /** @return {@code axis} counted from the front, for an array of {@code rank} dimensions */
  static int axis(long axis, int rank) {
    long a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= Math.max(rank, 1)) {
      throw new IllegalArgumentException("axis " + axis + " is out of range for rank " + rank);
    }
    return (int) a;
  }

  /** @return every axis counted from the front, sorted */
  static int[] axes(long[] axes, int rank) {
    int[] out = new int[axes.length];
    for (int i = 0; i < axes.length; i++) {
      out[i] = axis(axes[i], rank);
    }
    Arrays.sort(out);
    return out;
  }

  /** One libtorch reduction over one axis, kept. */
  @FunctionalInterface
  interface AxisReduction {
    NDArray apply(NDArray x, int[] axis, boolean keepDims);
  }

  /** @return {@code x} reduced over each of {@code axes} in turn (DJL's libtorch reductions take one axis) */
  static NDArray reduce(NDArray x, int[] axes, boolean keepDims, AxisReduction f) {
    if (axes.length == 0) {
      return x;
    }
    NDArray y = x;
    for (int a : axes) {
      y = f.apply(y, new int[] {a}, true);
    }
    return keepDims ? y : y.squeeze(axes);
  }

  static int[] all(int rank) {
    int[] out = new int[rank];
    for (int i = 0; i < rank; i++) {
      out[i] = i;
    }
    return out;
  }

  static long[] ints(Node n, String name, long[] fallback) {
    return n.attrInts(name).orElse(fallback);
  }

  static long[] filled(int length, long value) {
    long[] out = new long[length];
    Arrays.fill(out, value);
    return out;
  }

  /** @return {@code values} reshaped to broadcast along {@code axis} of an array of {@code rank} dimensions */
  static NDArray alongAxis(NDArray values, int axis, int rank) {
    if (values.getShape().dimension() == 0 || values.size() == 1 && values.getShape().dimension() <= 1) {
      return values;
    }
    long[] shape = filled(rank, 1);
    shape[axis] = values.size();
    return values.reshape(new Shape(shape));
  }

  /** @return the reason when an attribute holds a value other than the ones supported */
  static Optional<String> onlyString(Node n, String name, String... supported) {
    Optional<String> value = n.attrString(name);
    if (value.isEmpty() || Arrays.asList(supported).contains(value.get())) {
      return Optional.empty();
    }
    return Optional.of(name + " '" + value.get() + "' is not supported; supported: " + String.join(", ", supported));
  }

  /** @return the product of the dimensions from {@code from} (inclusive) to {@code to} (exclusive) */
  static long product(long[] shape, int from, int to) {
    long p = 1;
    for (int i = from; i < to; i++) {
      p *= shape[i];
    }
    return p;
  }
}
