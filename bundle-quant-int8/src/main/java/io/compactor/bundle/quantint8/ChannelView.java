package io.compactor.bundle.quantint8;

import io.compactor.retrain.DMatrix;
import io.compactor.retrain.Int8WeightOps;

/**
 * An ONNX weight tensor seen as a matrix with one row per index of one axis (the output-channel axis of
 * the weight), so per-channel scales are per-row scales whatever the layout: row {@code o} holds every
 * element whose index on {@code axis} is {@code o}.
 */
final class ChannelView {
  private final long[] shape;
  private final int axis;
  private final int channels;
  private final int inner;
  private final int outer;

  ChannelView(long[] shape, int axis) {
    this.shape = shape.clone();
    this.axis = axis;
    this.channels = (int) shape[axis];
    int in = 1;
    for (int a = axis + 1; a < shape.length; a++) {
      in *= (int) shape[a];
    }
    int out = 1;
    for (int a = 0; a < axis; a++) {
      out *= (int) shape[a];
    }
    this.inner = in;
    this.outer = out;
  }

  /** @return channels along the axis */
  int channels() {
    return channels;
  }

  /** @return the axis */
  int axis() {
    return axis;
  }

  /** @return the tensor's shape */
  long[] shape() {
    return shape.clone();
  }

  /** @return the flat tensor index of row {@code o}, column {@code c} */
  int index(int o, int c) {
    int a = c / inner;
    int i = c % inner;
    return (a * channels + o) * inner + i;
  }

  /** @return the elements as {@code [channels, outer × inner]} */
  DMatrix rows(float[] onnx) {
    int cols = outer * inner;
    DMatrix m = DMatrix.zeros(channels, cols);
    for (int o = 0; o < channels; o++) {
      for (int c = 0; c < cols; c++) {
        m.set(o, c, onnx[index(o, c)]);
      }
    }
    return m;
  }

  /** @return the matrix back in ONNX layout */
  float[] onnx(DMatrix m) {
    float[] v = new float[channels * outer * inner];
    for (int o = 0; o < channels; o++) {
      for (int c = 0; c < m.cols(); c++) {
        v[index(o, c)] = (float) m.get(o, c);
      }
    }
    return v;
  }

  /** @return codes in ONNX layout: each element divided by its channel's scale, rounded, clamped to ±qmax */
  byte[] codes(float[] onnx, double[] channelScales, int qmax) {
    byte[] q = new byte[onnx.length];
    int cols = outer * inner;
    for (int o = 0; o < channels; o++) {
      for (int c = 0; c < cols; c++) {
        int i = index(o, c);
        q[i] = (byte) Int8WeightOps.code(onnx[i], channelScales[o], qmax);
      }
    }
    return q;
  }
}
