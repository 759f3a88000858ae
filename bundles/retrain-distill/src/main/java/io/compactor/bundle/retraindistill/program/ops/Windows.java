package io.compactor.bundle.retraindistill.program.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.compactor.onnx.graph.Node;
import java.util.Arrays;

/**
 * The geometry of sliding-window operators (Conv, ConvTranspose, pooling): explicit begin and end pads from
 * {@code pads} or {@code auto_pad}, and explicit padding when libtorch's symmetric padding cannot express them.
 *
 * @param kernel kernel size per spatial axis
 * @param strides stride per spatial axis
 * @param dilations dilation per spatial axis
 * @param begin padding before each spatial axis
 * @param end padding after each spatial axis
 */
record Windows(long[] kernel, long[] strides, long[] dilations, long[] begin, long[] end) {
  /**
   * @param spatialInput the input's spatial dimensions
   * @param kernel the kernel's spatial dimensions
   */
  static Windows of(Node n, long[] spatialInput, long[] kernel) {
    int sp = spatialInput.length;
    long[] strides = OpSupport.ints(n, "strides", OpSupport.filled(sp, 1));
    long[] dilations = OpSupport.ints(n, "dilations", OpSupport.filled(sp, 1));
    long[] begin = new long[sp];
    long[] end = new long[sp];
    String auto = n.attrString("auto_pad").orElse("NOTSET");
    if (auto.equals("SAME_UPPER") || auto.equals("SAME_LOWER")) {
      for (int i = 0; i < sp; i++) {
        long out = (spatialInput[i] + strides[i] - 1) / strides[i];
        long total = Math.max(0, (out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - spatialInput[i]);
        begin[i] = auto.equals("SAME_UPPER") ? total / 2 : total - total / 2;
        end[i] = total - begin[i];
      }
    } else if (!auto.equals("VALID")) {
      long[] pads = OpSupport.ints(n, "pads", new long[2 * sp]);
      begin = Arrays.copyOfRange(pads, 0, sp);
      end = Arrays.copyOfRange(pads, sp, 2 * sp);
    }
    return new Windows(kernel, strides, dilations, begin, end);
  }

  /** @return whether every axis is padded the same on both sides, at most {@code limitHalfKernel} half a kernel */
  boolean symmetric(boolean limitHalfKernel) {
    for (int i = 0; i < begin.length; i++) {
      if (begin[i] != end[i] || limitHalfKernel && begin[i] > kernel[i] / 2) {
        return false;
      }
    }
    return true;
  }

  Shape stridesShape() {
    return new Shape(strides);
  }

  Shape dilationsShape() {
    return new Shape(dilations);
  }

  Shape kernelShape() {
    return new Shape(kernel);
  }

  Shape symmetricPads() {
    return new Shape(begin);
  }

  Shape noPads() {
    return new Shape(new long[begin.length]);
  }

  /** @return {@code x} padded explicitly with {@code value} on its spatial axes (libtorch order: last axis first) */
  NDArray pad(NDArray x, double value) {
    long[] spec = new long[2 * begin.length];
    for (int i = 0; i < begin.length; i++) {
      int axis = begin.length - 1 - i;
      spec[2 * i] = begin[axis];
      spec[2 * i + 1] = end[axis];
    }
    return x.pad(new Shape(spec), value);
  }

  /** @return {@code y} without {@code begin} and {@code end} on its spatial axes (the axes after the first two) */
  NDArray crop(NDArray y) {
    NDArray out = y;
    for (int i = 0; i < begin.length; i++) {
      if (begin[i] != 0 || end[i] != 0) {
        long size = out.getShape().get(2 + i);
        out = out.get(NDIndex.sliceAxis(2 + i, begin[i], size - end[i]));
      }
    }
    return out;
  }
}
