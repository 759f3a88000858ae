package io.compactor.retrain;

import java.util.Arrays;
import java.util.Objects;

/**
 * A dense, mutable, row-major matrix of doubles: the one data type of Compactor's small linear
 * algebra. Element {@code (r, c)} lives at {@code data[r * cols + c]}. The {@code *Ops} classes say per
 * parameter whether they modify a matrix.
 */
public final class DMatrix {
  private final int rows;
  private final int cols;
  private final double[] data;

  private DMatrix(int rows, int cols, double[] data) {
    if (rows < 0 || cols < 0) {
      throw new IllegalArgumentException("matrix dimensions must be at least 0, got " + rows + "x" + cols);
    }
    if ((long) rows * cols != data.length) {
      throw new IllegalArgumentException("a " + rows + "x" + cols + " matrix needs " + (long) rows * cols
          + " elements, got " + data.length);
    }
    this.rows = rows;
    this.cols = cols;
    this.data = data;
  }

  /** @return a {@code rows x cols} matrix of zeros */
  public static DMatrix zeros(int rows, int cols) {
    return new DMatrix(rows, cols, new double[Math.multiplyExact(rows, cols)]);
  }

  /** @return the {@code n x n} identity */
  public static DMatrix identity(int n) {
    DMatrix m = zeros(n, n);
    for (int i = 0; i < n; i++) {
      m.data[i * n + i] = 1;
    }
    return m;
  }

  /**
   * @param rows number of rows
   * @param cols number of columns
   * @param data row-major elements; used, not copied, so later changes to the array show in the matrix
   * @return a matrix over {@code data}
   */
  public static DMatrix wrap(int rows, int cols, double[] data) {
    return new DMatrix(rows, cols, Objects.requireNonNull(data, "data"));
  }

  /** @return a matrix holding {@code values} (row-major) converted to double */
  public static DMatrix ofFloats(int rows, int cols, float[] values) {
    double[] d = new double[values.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = values[i];
    }
    return new DMatrix(rows, cols, d);
  }

  /** @return the number of rows */
  public int rows() {
    return rows;
  }

  /** @return the number of columns */
  public int cols() {
    return cols;
  }

  /** @return the backing row-major array (not a copy) */
  public double[] data() {
    return data;
  }

  /** @return element {@code (r, c)} */
  public double get(int r, int c) {
    return data[r * cols + c];
  }

  /** Sets element {@code (r, c)}. */
  public void set(int r, int c, double value) {
    data[r * cols + c] = value;
  }

  /** Adds {@code value} to element {@code (r, c)}. */
  public void add(int r, int c, double value) {
    data[r * cols + c] += value;
  }

  /** @return an independent copy */
  public DMatrix copy() {
    return new DMatrix(rows, cols, data.clone());
  }

  /** @return a new matrix, the transpose of this one */
  public DMatrix transpose() {
    DMatrix t = zeros(cols, rows);
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        t.data[c * rows + r] = data[r * cols + c];
      }
    }
    return t;
  }

  /** @return column {@code c} as a new array */
  public double[] column(int c) {
    double[] out = new double[rows];
    for (int r = 0; r < rows; r++) {
      out[r] = data[r * cols + c];
    }
    return out;
  }

  /**
   * @param values the new last column, length {@code rows}, or null for zeros
   * @return a new {@code rows x (cols+1)} matrix: this one with {@code values} appended as the last column
   *     (a weight matrix with its bias, for fits that solve for both)
   */
  public DMatrix withColumn(double[] values) {
    DMatrix a = zeros(rows, cols + 1);
    for (int r = 0; r < rows; r++) {
      System.arraycopy(data, r * cols, a.data, r * (cols + 1), cols);
      a.data[r * (cols + 1) + cols] = values == null ? 0 : values[r];
    }
    return a;
  }

  /** @return a new {@code rows x n} matrix of the first {@code n} columns */
  public DMatrix leadingColumns(int n) {
    DMatrix w = zeros(rows, n);
    for (int r = 0; r < rows; r++) {
      System.arraycopy(data, r * cols, w.data, r * n, n);
    }
    return w;
  }

  /** @return the main diagonal as a new array */
  public double[] diagonal() {
    double[] d = new double[Math.min(rows, cols)];
    for (int i = 0; i < d.length; i++) {
      d[i] = data[i * cols + i];
    }
    return d;
  }

  /** @return the shape as {@code rows x cols}, for messages */
  public String shape() {
    return rows + "x" + cols;
  }

  /** @return whether both matrices have the same shape and elements */
  @Override
  public boolean equals(Object o) {
    return o instanceof DMatrix m && m.rows == rows && m.cols == cols && Arrays.equals(m.data, data);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * rows + cols) + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "DMatrix " + shape();
  }
}
