package io.compactor.retrain;

import java.util.Objects;

/**
 * Symmetric INT8 weight quantization of {@code W[out, in]}: codes in {@code [-qmax, qmax]} with zero point 0
 * ({@code qmax} 127 unless a narrower grid is asked for), so a zero weight stays exactly zero, one scale per
 * row (output channel) or one for the whole tensor.
 * Scales are chosen to minimize the importance-weighted squared rounding and clipping error; rounding is
 * either to nearest or GPTQ-style, an {@link ObsSweep} that compensates each column's rounding error on
 * the columns not yet rounded.
 */
public final class Int8WeightOps {
  /** Largest code; -128 is left unused so the grid is symmetric. */
  public static final int QMAX = 127;
  /** Scale candidates tried from {@code max|w| / 127} downwards, as fractions of it. */
  static final int SCALE_STEPS = 64;
  /** The smallest fraction of {@code max|w| / 127} tried. */
  static final double MIN_SCALE_FRACTION = 0.5;

  private Int8WeightOps() {}

  /**
   * Error-minimizing symmetric scales: for each row (or the tensor) the scale {@code f × max|w| / 127}
   * with {@code f} in {@code [0.5, 1]} that minimizes {@code Σ importance[c] (w − q(w))²}.
   *
   * @param w weights {@code W[out, in]}; not modified
   * @param importance per column, e.g. the diagonal of the input Hessian; null for uniform
   * @param perRow one scale per row when true, one shared scale otherwise
   * @return one scale per row (equal values when shared); 1 for an all-zero row or tensor
   */
  public static double[] searchScales(DMatrix w, double[] importance, boolean perRow) {
    return searchScales(w, importance, perRow, QMAX);
  }

  /**
   * As {@link #searchScales(DMatrix, double[], boolean)} on the grid {@code [-qmax, qmax]}: the scale is
   * {@code f × max|w| / qmax}.
   *
   * @param qmax largest code, 1 to 127
   */
  public static double[] searchScales(DMatrix w, double[] importance, boolean perRow, int qmax) {
    Objects.requireNonNull(w, "w");
    checkQmax(qmax);
    int rows = w.rows();
    int cols = w.cols();
    if (importance != null && importance.length != cols) {
      throw new MatrixDimensionException("importance of length " + importance.length + " for W " + w.shape());
    }
    double[] scales = new double[rows];
    if (perRow) {
      for (int r = 0; r < rows; r++) {
        scales[r] = bestScale(w, importance, r, r + 1, qmax);
      }
    } else {
      java.util.Arrays.fill(scales, bestScale(w, importance, 0, rows, qmax));
    }
    return scales;
  }

  private static void checkQmax(int qmax) {
    if (qmax < 1 || qmax > QMAX) {
      throw new IllegalArgumentException("qmax: the largest code must be 1 to " + QMAX + ", got " + qmax);
    }
  }

  private static double bestScale(DMatrix w, double[] importance, int fromRow, int toRow, int qmax) {
    int cols = w.cols();
    double[] d = w.data();
    double max = 0;
    for (int i = fromRow * cols; i < toRow * cols; i++) {
      max = Math.max(max, Math.abs(d[i]));
    }
    if (max == 0) {
      return 1;
    }
    double best = max / qmax;
    double bestError = Double.POSITIVE_INFINITY;
    for (int k = 0; k <= SCALE_STEPS; k++) {
      double s = max / qmax * (1 - (1 - MIN_SCALE_FRACTION) * k / SCALE_STEPS);
      double err = 0;
      for (int r = fromRow; r < toRow; r++) {
        for (int c = 0; c < cols; c++) {
          double v = d[r * cols + c];
          double e = v - dequantize(v, s, qmax);
          err += (importance == null ? 1 : importance[c]) * e * e;
        }
      }
      if (err < bestError) {
        bestError = err;
        best = s;
      }
    }
    return best;
  }

  /** @return the code of {@code v} on the grid of scale {@code s}: round to nearest, clamped to ±127 */
  public static int code(double v, double s) {
    return code(v, s, QMAX);
  }

  /** @return the code of {@code v} on the grid of scale {@code s}: round to nearest, clamped to ±qmax */
  public static int code(double v, double s, int qmax) {
    return (int) Math.max(-qmax, Math.min(qmax, Math.rint(v / s)));
  }

  /** @return {@code v} rounded to the grid of scale {@code s} and clamped, in float units */
  public static double dequantize(double v, double s) {
    return dequantize(v, s, QMAX);
  }

  /** @return {@code v} rounded to the grid of scale {@code s} and clamped to ±qmax, in float units */
  public static double dequantize(double v, double s, int qmax) {
    return code(v, s, qmax) * s;
  }

  /**
   * @param w weights on the grid of {@code rowScales}
   * @param rowScales one scale per row
   * @return the codes, row-major like {@code w}
   */
  public static byte[] codes(DMatrix w, double[] rowScales) {
    int cols = w.cols();
    byte[] q = new byte[w.rows() * cols];
    for (int r = 0; r < w.rows(); r++) {
      for (int c = 0; c < cols; c++) {
        q[r * cols + c] = (byte) code(w.get(r, c), rowScales[r]);
      }
    }
    return q;
  }

  /**
   * @param w weights; not modified
   * @param rowScales one scale per row
   * @return a new matrix: every weight rounded to nearest on its row's grid
   */
  public static DMatrix roundToNearest(DMatrix w, double[] rowScales) {
    return roundToNearest(w, rowScales, QMAX);
  }

  /** As {@link #roundToNearest(DMatrix, double[])} on the grid {@code [-qmax, qmax]}. */
  public static DMatrix roundToNearest(DMatrix w, double[] rowScales, int qmax) {
    checkQmax(qmax);
    DMatrix q = w.copy();
    int cols = w.cols();
    double[] d = q.data();
    for (int i = 0; i < d.length; i++) {
      d[i] = dequantize(d[i], rowScales[i / cols], qmax);
    }
    return q;
  }

  /**
   * GPTQ rounding: columns are rounded left to right and each rounding error is compensated on the columns
   * still free, weighted by the inverse Hessian. Weights marked in {@code zeros} end exactly at zero (a
   * sparsity mask survives); columns from {@code quantizedColumns} on are not rounded (e.g. a bias column
   * appended to {@code W}) and take compensation only.
   *
   * @param w starting weights {@code W[out, in']}; not modified
   * @param upper {@code U} of the damped inverse Hessian, {@code in' x in'}
   * @param rowScales one scale per row
   * @param zeros row-major flags of weights that must end at zero, length {@code out × quantizedColumns};
   *     null for none
   * @param quantizedColumns how many leading columns are rounded
   * @param blockSize columns per lazy-update block
   * @return the rounded weights (the free columns compensated) and OBS's loss estimate
   */
  public static ObsSweep.Result gptq(DMatrix w, DMatrix upper, double[] rowScales, boolean[] zeros,
      int quantizedColumns, int blockSize) {
    return gptq(w, upper, rowScales, zeros, quantizedColumns, blockSize, QMAX);
  }

  /** As {@link #gptq(DMatrix, DMatrix, double[], boolean[], int, int)} on the grid {@code [-qmax, qmax]}. */
  public static ObsSweep.Result gptq(DMatrix w, DMatrix upper, double[] rowScales, boolean[] zeros,
      int quantizedColumns, int blockSize, int qmax) {
    checkQmax(qmax);
    if (rowScales.length != w.rows()) {
      throw new MatrixDimensionException(rowScales.length + " scales for W " + w.shape());
    }
    if (zeros != null && zeros.length != w.rows() * quantizedColumns) {
      throw new MatrixDimensionException("zero mask of length " + zeros.length + " for " + w.rows() + " x "
          + quantizedColumns + " rounded weights");
    }
    return ObsSweep.run(w, upper, blockSize, (column, values, sweep) -> {
      if (column >= quantizedColumns) {
        return;
      }
      for (int r = 0; r < values.length; r++) {
        values[r] = zeros != null && zeros[r * quantizedColumns + column] ? 0 : dequantize(values[r], rowScales[r], qmax);
      }
    });
  }

  /** @return row-major flags of the exact zeros of {@code w} */
  public static boolean[] zeroMask(DMatrix w) {
    double[] d = w.data();
    boolean[] z = new boolean[d.length];
    for (int i = 0; i < d.length; i++) {
      z[i] = d[i] == 0;
    }
    return z;
  }
}
