package io.compactor.core.tune;

import java.util.Arrays;

/**
 * Cheap stand-ins of the compression methods on a weight array, for sensitivity: magnitude 2:4 along the input
 * axis, zeroing the lowest-L2 output channels, per-channel symmetric INT8 rounding. The bundles do better
 * (reconstruction, refits), so what these cost is an upper bound used to rank, never the answer.
 *
 * <p>A weight of shape {@code dims} is seen as {@code [outer, n, inner]} around one axis; arrays are not modified.
 */
final class WeightOps {
  private WeightOps() {}

  /** @return {@code w} with the two largest |w| kept in every four consecutive entries along {@code axis} */
  static float[] twoOfFour(float[] w, long[] dims, int axis) {
    float[] out = w.clone();
    int n = (int) dims[axis];
    int inner = inner(dims, axis);
    int outer = w.length / (n * inner);
    for (int o = 0; o < outer; o++) {
      for (int k = 0; k < inner; k++) {
        for (int g = 0; g + 4 <= n; g += 4) {
          int[] idx = new int[4];
          for (int j = 0; j < 4; j++) {
            idx[j] = (o * n + g + j) * inner + k;
          }
          // zero the two smallest magnitudes of the group
          Integer[] order = {0, 1, 2, 3};
          Arrays.sort(order, (a, b) -> Float.compare(Math.abs(w[idx[a]]), Math.abs(w[idx[b]])));
          out[idx[order[0]]] = 0;
          out[idx[order[1]]] = 0;
        }
      }
    }
    return out;
  }

  /** @return the L2 norm of every channel along {@code axis} */
  static double[] channelNorms(float[] w, long[] dims, int axis) {
    double[] norm = new double[(int) dims[axis]];
    forEach(dims, axis, w.length, (c, i) -> norm[c] += (double) w[i] * w[i]);
    for (int c = 0; c < norm.length; c++) {
      norm[c] = Math.sqrt(norm[c]);
    }
    return norm;
  }

  /** @return the {@code round(n × ratio)} channels of lowest score (at least one channel stays) */
  static int[] lowest(double[] score, double ratio) {
    int n = score.length;
    int removed = Math.min(n - 1, (int) Math.round(n * ratio));
    Integer[] order = new Integer[n];
    for (int c = 0; c < n; c++) {
      order[c] = c;
    }
    Arrays.sort(order, (a, b) -> Double.compare(score[a], score[b]));
    int[] out = new int[removed];
    for (int j = 0; j < removed; j++) {
      out[j] = order[j];
    }
    return out;
  }

  /** @return {@code w} with the given channels along {@code axis} set to zero */
  static float[] zeroChannels(float[] w, long[] dims, int axis, int[] channels) {
    boolean[] zero = new boolean[(int) dims[axis]];
    for (int c : channels) {
      zero[c] = true;
    }
    float[] out = w.clone();
    forEach(dims, axis, w.length, (c, i) -> {
      if (zero[c]) {
        out[i] = 0;
      }
    });
    return out;
  }

  /** @return {@code w} rounded to symmetric INT8 codes (−127…127) with one scale per channel along {@code axis} */
  static float[] int8(float[] w, long[] dims, int axis) {
    int n = (int) dims[axis];
    float[] max = new float[n];
    forEach(dims, axis, w.length, (c, i) -> max[c] = Math.max(max[c], Math.abs(w[i])));
    float[] out = new float[w.length];
    forEach(dims, axis, w.length, (c, i) -> {
      float scale = max[c] / 127f;
      out[i] = scale == 0 ? 0 : Math.round(w[i] / scale) * scale;
    });
    return out;
  }

  /** @return ‖w‖² */
  static double squaredNorm(float[] w) {
    double s = 0;
    for (float v : w) {
      s += (double) v * v;
    }
    return s;
  }

  /** @return ‖a − b‖ / ‖a‖, 0 for a zero {@code a} */
  static double relativeError(float[] a, float[] b) {
    double diff = 0;
    double norm = 0;
    for (int i = 0; i < a.length; i++) {
      diff += (double) (a[i] - b[i]) * (a[i] - b[i]);
      norm += (double) a[i] * a[i];
    }
    return norm == 0 ? 0 : Math.sqrt(diff / norm);
  }

  private interface Visit {
    void at(int channel, int index);
  }

  private static void forEach(long[] dims, int axis, int length, Visit v) {
    int n = (int) dims[axis];
    int inner = inner(dims, axis);
    for (int i = 0; i < length; i++) {
      v.at((i / inner) % n, i);
    }
  }

  private static int inner(long[] dims, int axis) {
    int inner = 1;
    for (int d = axis + 1; d < dims.length; d++) {
      inner *= (int) dims[d];
    }
    return inner;
  }
}
