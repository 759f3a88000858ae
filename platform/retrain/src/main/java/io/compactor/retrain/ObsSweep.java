package io.compactor.retrain;

import java.util.Objects;

/**
 * The Optimal Brain Surgeon sweep shared by SparseGPT-style pruning and GPTQ-style rounding: weight
 * columns are fixed one at a time, left to right, and the output error each fixed column causes is
 * compensated on the columns not yet fixed, using the upper factor {@code U} of the inverse Hessian
 * ({@code H⁻¹ = UᵀU}). Updates are applied lazily per block of columns, so the cost is
 * {@code O(out × in²)} with cache-friendly block updates; the result does not depend on the block size
 * beyond rounding.
 */
public final class ObsSweep {
  /** Columns per lazy-update block, as in GPTQ and SparseGPT. */
  public static final int DEFAULT_BLOCK = 128;

  private ObsSweep() {}

  /** Decides the final value of each column's weights; the sweep compensates the difference. */
  @FunctionalInterface
  public interface ColumnFixer {
    /**
     * Called once per column, in increasing order.
     *
     * @param column the column being fixed
     * @param values the column's weights (one per output row) after compensation for every column fixed
     *     before; overwrite them with the fixed values
     * @param sweep read access to the columns after this one, as compensated so far
     */
    void fix(int column, double[] values, Sweep sweep);
  }

  /**
   * The outcome of a sweep.
   *
   * @param weights the new weights, {@code out x in}
   * @param estimatedLoss OBS's estimate of the increase of {@code ||X ΔWᵀ||²}: the sum over fixed
   *     weights of {@code (w − q)² / U[j][j]²}
   */
  public record Result(DMatrix weights, double estimatedLoss) {}

  /**
   * @param weights the starting weights {@code W[out, in]}; not modified
   * @param upper {@code U}, {@code in x in}, from {@link DampedCholesky#upperFactorOfInverse}; not modified
   * @param blockSize columns per lazy-update block, at least 1
   * @param fixer decides each column's final values
   * @return the fixed and compensated weights
   */
  public static Result run(DMatrix weights, DMatrix upper, int blockSize, ColumnFixer fixer) {
    MatrixDimensionException.require(upper.rows() == weights.cols() && upper.cols() == weights.cols(), "OBS sweep",
        "U must be in x in for W out x in", weights, upper);
    if (blockSize < 1) {
      throw new IllegalArgumentException("OBS block size must be at least 1, got " + blockSize);
    }
    Objects.requireNonNull(fixer, "fixer");
    Sweep sweep = new Sweep(weights.copy(), upper);
    int cols = weights.cols();
    for (int i1 = 0; i1 < cols; i1 += blockSize) {
      sweep.runBlock(i1, Math.min(cols, i1 + blockSize), fixer);
    }
    return new Result(sweep.w, sweep.loss);
  }

  /** The state of one sweep; gives fixers a view of the columns not yet fixed. */
  public static final class Sweep {
    private final DMatrix w;
    private final DMatrix u;
    private final int rows;
    private final int cols;
    private double[][] block;
    private double[][] errors;
    private int blockStart;
    private int blockEnd;
    private int current;
    private double loss;

    private Sweep(DMatrix w, DMatrix u) {
      this.w = w;
      this.u = u;
      this.rows = w.rows();
      this.cols = w.cols();
    }

    /**
     * Copies the current value of a column at or after the one being fixed: its starting weights plus
     * every compensation from the columns fixed so far.
     *
     * @param column a column index ≥ the column being fixed
     * @param out length {@code out}; overwritten
     */
    public void column(int column, double[] out) {
      if (column < current) {
        throw new IllegalArgumentException("column " + column + " is already fixed; the sweep is at " + current);
      }
      if (column < blockEnd) {
        System.arraycopy(block[column - blockStart], 0, out, 0, rows);
        return;
      }
      double[] wd = w.data();
      double[] ud = u.data();
      for (int r = 0; r < rows; r++) {
        out[r] = wd[r * cols + column];
      }
      for (int t = 0; t < current - blockStart; t++) {
        double f = ud[(blockStart + t) * cols + column];
        if (f != 0) {
          double[] e = errors[t];
          for (int r = 0; r < rows; r++) {
            out[r] -= e[r] * f;
          }
        }
      }
    }

    /** @return the diagonal element {@code U[j][j]}, the scale of column {@code j}'s error */
    public double pivot(int column) {
      return u.get(column, column);
    }

    /** @return the number of output rows */
    public int rows() {
      return rows;
    }

    private void runBlock(int i1, int i2, ColumnFixer fixer) {
      int count = i2 - i1;
      double[] wd = w.data();
      double[] ud = u.data();
      block = new double[count][rows];
      errors = new double[count][rows];
      blockStart = i1;
      blockEnd = i2;
      for (int k = 0; k < count; k++) {
        for (int r = 0; r < rows; r++) {
          block[k][r] = wd[r * cols + i1 + k];
        }
      }
      double[] original = new double[rows];
      for (int i = 0; i < count; i++) {
        int j = i1 + i;
        current = j;
        double[] col = block[i];
        System.arraycopy(col, 0, original, 0, rows);
        fixer.fix(j, col, this);
        double d = ud[j * cols + j];
        double[] err = errors[i];
        boolean any = false;
        for (int r = 0; r < rows; r++) {
          double e = (original[r] - col[r]) / d;
          err[r] = e;
          loss += e * e;
          any |= e != 0;
        }
        if (any) {
          for (int k = i + 1; k < count; k++) {
            double f = ud[j * cols + i1 + k];
            if (f != 0) {
              double[] target = block[k];
              for (int r = 0; r < rows; r++) {
                target[r] -= err[r] * f;
              }
            }
          }
        }
      }
      current = i2;
      for (int k = 0; k < count; k++) {
        for (int r = 0; r < rows; r++) {
          wd[r * cols + i1 + k] = block[k][r];
        }
      }
      for (int i = 0; i < count; i++) {
        double[] err = errors[i];
        int ru = (i1 + i) * cols;
        for (int r = 0; r < rows; r++) {
          double e = err[r];
          if (e != 0) {
            int rw = r * cols;
            for (int c = i2; c < cols; c++) {
              wd[rw + c] -= e * ud[ru + c];
            }
          }
        }
      }
      block = null;
      errors = null;
      blockStart = i2;
      blockEnd = i2;
    }
  }
}
