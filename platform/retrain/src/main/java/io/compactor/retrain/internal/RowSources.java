package io.compactor.retrain.internal;

import io.compactor.onnx.tensor.Tensor;
import io.compactor.retrain.RowSource;
import java.util.Arrays;

/** Row views of activation tensors, without copying them. */
public final class RowSources {
  private RowSources() {}

  /** @return rows of a tensor laid out as {@code [..., cols]} in C order: a plain view */
  public static RowSource contiguous(float[] data, int cols) {
    int rows = cols == 0 ? 0 : data.length / cols;
    return new RowSource() {
      @Override
      public int rows() {
        return rows;
      }

      @Override
      public int cols() {
        return cols;
      }

      @Override
      public void fill(int from, int count, float[] dst) {
        System.arraycopy(data, from * cols, dst, 0, count * cols);
      }
    };
  }

  /** @return rows of an NCHW tensor: one row per (n, h, w), the channels as columns */
  public static RowSource channelsLast(Tensor t, int channels) {
    float[] v = t.floats();
    if (t.rank() != 4 || t.dim(1) != channels) {
      throw new IllegalArgumentException("expected an NCHW tensor with " + channels + " channels, got "
          + Arrays.toString(t.shape()));
    }
    int n = (int) t.dim(0);
    int plane = (int) (t.dim(2) * t.dim(3));
    return new RowSource() {
      @Override
      public int rows() {
        return n * plane;
      }

      @Override
      public int cols() {
        return channels;
      }

      @Override
      public void fill(int from, int count, float[] dst) {
        for (int k = 0; k < count; k++) {
          int r = from + k;
          int base = (r / plane) * channels * plane + r % plane;
          for (int c = 0; c < channels; c++) {
            dst[k * channels + c] = v[base + c * plane];
          }
        }
      }
    };
  }
}
