package io.compactor.retrain.internal;

import io.compactor.retrain.DMatrix;
import io.compactor.retrain.MatrixDimensionException;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * Streaming accumulation of second-order statistics in double precision: {@code H += XᵀX},
 * {@code C += XᵀY}, column sums and sums of squares, from row blocks of float activations. Callers feed
 * blocks of bounded size, so memory stays {@code O(cols²)} however many rows flow through. Stateless;
 * large blocks are split over the common fork-join pool.
 */
public final class GramOps {
  /** Below this many multiply-adds a block is accumulated on the calling thread. */
  static final long PARALLEL_THRESHOLD = 1L << 24;
  private static final int TILE = 4;

  private GramOps() {}

  /**
   * Adds {@code XᵀX} to {@code h}, keeping it symmetric.
   *
   * @param x the block, {@code rows x cols} row-major; not modified
   * @param rows rows in the block
   * @param cols columns of {@code X}
   * @param h {@code cols x cols}; modified
   */
  public static void accumulate(float[] x, int rows, int cols, DMatrix h) {
    MatrixDimensionException.require(h.rows() == cols && h.cols() == cols, "H += XᵀX",
        "H must be " + cols + "x" + cols, h);
    requireLength(x, rows, cols);
    if (rows == 0) {
      return;
    }
    double[][] a = columns(x, rows, cols);
    int tiles = a.length / TILE;
    double[] hd = h.data();
    IntStream range = IntStream.range(0, tiles);
    if ((long) rows * cols * cols / 2 > PARALLEL_THRESHOLD) {
      range = range.parallel();
    }
    range.forEach(ti -> {
      double[] acc = new double[TILE * TILE];
      int i = ti * TILE;
      for (int j = i; j < a.length; j += TILE) {
        tile(a, i, a, j, rows, acc);
        for (int p = 0; p < TILE && i + p < cols; p++) {
          for (int q = 0; q < TILE && j + q < cols; q++) {
            if (j + q >= i + p) {
              hd[(i + p) * cols + j + q] += acc[p * TILE + q];
            }
          }
        }
      }
    });
    for (int i = 0; i < cols; i++) {
      for (int j = i + 1; j < cols; j++) {
        hd[j * cols + i] = hd[i * cols + j];
      }
    }
  }

  /**
   * Adds {@code XᵀY} to {@code c}.
   *
   * @param x the input block, {@code rows x cols} row-major; not modified
   * @param rows rows in both blocks
   * @param cols columns of {@code X}
   * @param y the output block, {@code rows x outCols} row-major; not modified
   * @param outCols columns of {@code Y}
   * @param c {@code cols x outCols}; modified
   */
  public static void accumulateCross(float[] x, int rows, int cols, float[] y, int outCols, DMatrix c) {
    MatrixDimensionException.require(c.rows() == cols && c.cols() == outCols, "C += XᵀY",
        "C must be " + cols + "x" + outCols, c);
    requireLength(x, rows, cols);
    requireLength(y, rows, outCols);
    if (rows == 0) {
      return;
    }
    double[][] a = columns(x, rows, cols);
    double[][] b = columns(y, rows, outCols);
    double[] cd = c.data();
    IntStream range = IntStream.range(0, a.length / TILE);
    if ((long) rows * cols * outCols > PARALLEL_THRESHOLD) {
      range = range.parallel();
    }
    range.forEach(ti -> {
      double[] acc = new double[TILE * TILE];
      int i = ti * TILE;
      for (int j = 0; j < b.length; j += TILE) {
        tile(a, i, b, j, rows, acc);
        for (int p = 0; p < TILE && i + p < cols; p++) {
          for (int q = 0; q < TILE && j + q < outCols; q++) {
            cd[(i + p) * outCols + j + q] += acc[p * TILE + q];
          }
        }
      }
    });
  }

  /**
   * The product {@code A Bᵀ} of two row-major matrices, tiled like the accumulations.
   *
   * @param a {@code m x k}; not modified
   * @param b {@code n x k}; not modified
   * @return a new {@code m x n} matrix
   */
  public static DMatrix multTransB(DMatrix a, DMatrix b) {
    MatrixDimensionException.require(a.cols() == b.cols(), "A Bᵀ", "A and B need the same number of columns", a, b);
    int k = a.cols();
    double[][] ar = rows(a);
    double[][] br = rows(b);
    DMatrix c = DMatrix.zeros(a.rows(), b.rows());
    double[] cd = c.data();
    int n = b.rows();
    IntStream range = IntStream.range(0, ar.length / TILE);
    if ((long) a.rows() * n * k > PARALLEL_THRESHOLD) {
      range = range.parallel();
    }
    range.forEach(ti -> {
      double[] acc = new double[TILE * TILE];
      int i = ti * TILE;
      for (int j = 0; j < br.length; j += TILE) {
        tile(ar, i, br, j, k, acc);
        for (int p = 0; p < TILE && i + p < a.rows(); p++) {
          for (int q = 0; q < TILE && j + q < n; q++) {
            cd[(i + p) * n + j + q] = acc[p * TILE + q];
          }
        }
      }
    });
    return c;
  }

  /** Row arrays of {@code m}, with zero rows appended up to a multiple of {@link #TILE}. */
  private static double[][] rows(DMatrix m) {
    int padded = (m.rows() + TILE - 1) / TILE * TILE;
    double[][] out = new double[padded][];
    for (int r = 0; r < padded; r++) {
      out[r] = r < m.rows() ? Arrays.copyOfRange(m.data(), r * m.cols(), (r + 1) * m.cols())
          : new double[m.cols()];
    }
    return out;
  }

  /**
   * Adds the column sums of a block to {@code sums}.
   *
   * @param x {@code rows x cols} row-major; not modified
   * @param sums length {@code cols}; modified
   */
  public static void accumulateColumnSums(float[] x, int rows, int cols, double[] sums) {
    requireLength(x, rows, cols);
    for (int r = 0; r < rows; r++) {
      int base = r * cols;
      for (int c = 0; c < cols; c++) {
        sums[c] += x[base + c];
      }
    }
  }

  /** @return the sum of squares of the first {@code n} elements, in double precision */
  public static double sumOfSquares(float[] y, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) {
      s += (double) y[i] * y[i];
    }
    return s;
  }

  /** @return the mean of the diagonal of a square matrix, 0 for an empty one */
  public static double meanDiagonal(DMatrix h) {
    int n = Math.min(h.rows(), h.cols());
    double s = 0;
    for (int i = 0; i < n; i++) {
      s += h.get(i, i);
    }
    return n == 0 ? 0 : s / n;
  }

  /**
   * @param h a square matrix; modified
   * @param value added to every diagonal element
   */
  public static void addToDiagonal(DMatrix h, double value) {
    int n = Math.min(h.rows(), h.cols());
    for (int i = 0; i < n; i++) {
      h.add(i, i, value);
    }
  }

  /** Column-major double copy, with zero columns appended up to a multiple of {@link #TILE}. */
  private static double[][] columns(float[] x, int rows, int cols) {
    int padded = (cols + TILE - 1) / TILE * TILE;
    double[][] out = new double[padded][rows];
    for (int r = 0; r < rows; r++) {
      int base = r * cols;
      for (int c = 0; c < cols; c++) {
        out[c][r] = x[base + c];
      }
    }
    return out;
  }

  /** acc[p][q] = dot(a[i + p], b[j + q]) over the first {@code rows} entries, for p, q in 0..3. */
  private static void tile(double[][] a, int i, double[][] b, int j, int rows, double[] acc) {
    double[] a0 = a[i];
    double[] a1 = a[i + 1];
    double[] a2 = a[i + 2];
    double[] a3 = a[i + 3];
    double[] b0 = b[j];
    double[] b1 = b[j + 1];
    double[] b2 = b[j + 2];
    double[] b3 = b[j + 3];
    double s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
    double s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0;
    for (int r = 0; r < rows; r++) {
      double x0 = a0[r];
      double x1 = a1[r];
      double x2 = a2[r];
      double x3 = a3[r];
      double y0 = b0[r];
      double y1 = b1[r];
      double y2 = b2[r];
      double y3 = b3[r];
      s00 += x0 * y0;
      s01 += x0 * y1;
      s02 += x0 * y2;
      s03 += x0 * y3;
      s10 += x1 * y0;
      s11 += x1 * y1;
      s12 += x1 * y2;
      s13 += x1 * y3;
      s20 += x2 * y0;
      s21 += x2 * y1;
      s22 += x2 * y2;
      s23 += x2 * y3;
      s30 += x3 * y0;
      s31 += x3 * y1;
      s32 += x3 * y2;
      s33 += x3 * y3;
    }
    acc[0] = s00;
    acc[1] = s01;
    acc[2] = s02;
    acc[3] = s03;
    acc[4] = s10;
    acc[5] = s11;
    acc[6] = s12;
    acc[7] = s13;
    acc[8] = s20;
    acc[9] = s21;
    acc[10] = s22;
    acc[11] = s23;
    acc[12] = s30;
    acc[13] = s31;
    acc[14] = s32;
    acc[15] = s33;
  }

  private static void requireLength(float[] x, int rows, int cols) {
    if ((long) rows * cols > x.length) {
      throw new MatrixDimensionException("a " + rows + "x" + cols + " block needs " + (long) rows * cols
          + " elements, got " + x.length);
    }
  }
}
