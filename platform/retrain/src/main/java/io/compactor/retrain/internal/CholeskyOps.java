package io.compactor.retrain.internal;

import io.compactor.retrain.DMatrix;
import io.compactor.retrain.MatrixDimensionException;

/**
 * Cholesky factorization of symmetric positive definite matrices and what follows from it: solves,
 * the inverse, and the upper factor of the inverse that OBS and GPTQ sweeps use. Stateless. Every
 * method says which argument it modifies; the others are only read.
 */
public final class CholeskyOps {
  private CholeskyOps() {}

  /**
   * Factors {@code a = L Lᵀ} in place: on success the lower triangle of {@code a} holds {@code L} and the
   * strict upper triangle is zero. Only the lower triangle of {@code a} is read.
   *
   * @param a a symmetric matrix; modified (left partially factored when the result is false)
   * @return false when {@code a} is not positive definite (a pivot is zero, negative or not finite)
   */
  public static boolean decompose(DMatrix a) {
    MatrixDimensionException.require(a.rows() == a.cols(), "Cholesky", "the matrix must be square", a);
    int n = a.rows();
    double[] d = a.data();
    for (int j = 0; j < n; j++) {
      int rj = j * n;
      double sum = d[rj + j] - dot(d, rj, rj, j);
      if (!(sum > 0) || Double.isInfinite(sum)) {
        return false;
      }
      double pivot = Math.sqrt(sum);
      d[rj + j] = pivot;
      for (int i = j + 1; i < n; i++) {
        int ri = i * n;
        d[ri + j] = (d[ri + j] - dot(d, ri, rj, j)) / pivot;
      }
    }
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        d[i * n + j] = 0;
      }
    }
    return true;
  }

  /** @return {@code Σ_{k<n} d[a+k] d[b+k]}, with four independent sums so the loop is not latency-bound */
  private static double dot(double[] d, int a, int b, int n) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int k = 0;
    for (; k + 3 < n; k += 4) {
      s0 += d[a + k] * d[b + k];
      s1 += d[a + k + 1] * d[b + k + 1];
      s2 += d[a + k + 2] * d[b + k + 2];
      s3 += d[a + k + 3] * d[b + k + 3];
    }
    for (; k < n; k++) {
      s0 += d[a + k] * d[b + k];
    }
    return (s0 + s1) + (s2 + s3);
  }

  /**
   * Solves {@code L Lᵀ X = B} for every column of {@code B}.
   *
   * @param lower the factor from {@link #decompose}; not modified
   * @param b the right-hand sides, {@code n x k}; overwritten with the solution
   */
  public static void solve(DMatrix lower, DMatrix b) {
    MatrixDimensionException.require(lower.rows() == lower.cols() && b.rows() == lower.rows(), "Cholesky solve",
        "the factor must be n x n and the right-hand sides n x k", lower, b);
    int n = lower.rows();
    int k = b.cols();
    double[] l = lower.data();
    double[] x = b.data();
    for (int i = 0; i < n; i++) {
      int ri = i * k;
      for (int p = 0; p < i; p++) {
        double f = l[i * n + p];
        if (f != 0) {
          int rp = p * k;
          for (int c = 0; c < k; c++) {
            x[ri + c] -= f * x[rp + c];
          }
        }
      }
      double inv = 1 / l[i * n + i];
      for (int c = 0; c < k; c++) {
        x[ri + c] *= inv;
      }
    }
    for (int i = n - 1; i >= 0; i--) {
      int ri = i * k;
      for (int p = i + 1; p < n; p++) {
        double f = l[p * n + i];
        if (f != 0) {
          int rp = p * k;
          for (int c = 0; c < k; c++) {
            x[ri + c] -= f * x[rp + c];
          }
        }
      }
      double inv = 1 / l[i * n + i];
      for (int c = 0; c < k; c++) {
        x[ri + c] *= inv;
      }
    }
  }

  /**
   * @param lower the factor {@code L} from {@link #decompose}; not modified
   * @return a new matrix, {@code L⁻¹} (lower triangular)
   */
  public static DMatrix invertLower(DMatrix lower) {
    int n = lower.rows();
    double[] l = lower.data();
    DMatrix inv = DMatrix.zeros(n, n);
    double[] v = inv.data();
    for (int i = 0; i < n; i++) {
      int ri = i * n;
      for (int p = 0; p < i; p++) {
        double f = l[ri + p];
        if (f != 0) {
          int rp = p * n;
          for (int c = 0; c <= p; c++) {
            v[ri + c] -= f * v[rp + c];
          }
        }
      }
      double d = 1 / l[ri + i];
      for (int c = 0; c < i; c++) {
        v[ri + c] *= d;
      }
      v[ri + i] = d;
    }
    return inv;
  }

  /**
   * @param lower the factor {@code L} of {@code A = L Lᵀ}; not modified
   * @return a new symmetric matrix, {@code A⁻¹ = L⁻ᵀ L⁻¹}
   */
  public static DMatrix inverse(DMatrix lower) {
    int n = lower.rows();
    double[] li = invertLower(lower).data();
    DMatrix out = DMatrix.zeros(n, n);
    double[] o = out.data();
    for (int k = 0; k < n; k++) {
      int rk = k * n;
      for (int a = 0; a <= k; a++) {
        double f = li[rk + a];
        if (f != 0) {
          int ra = a * n;
          for (int b = a; b <= k; b++) {
            o[ra + b] += f * li[rk + b];
          }
        }
      }
    }
    for (int a = 0; a < n; a++) {
      for (int b = a + 1; b < n; b++) {
        o[b * n + a] = o[a * n + b];
      }
    }
    return out;
  }

  /**
   * The upper factor of the inverse used by OBS and GPTQ sweeps: {@code U} upper triangular with
   * {@code A⁻¹ = Uᵀ U}. Row {@code j} of {@code U}, divided by {@code U[j][j]}, is the update that
   * compensates the error of fixing weight column {@code j} on the columns after it.
   *
   * @param lower the factor {@code L} of {@code A = L Lᵀ}; not modified
   * @return a new matrix {@code U}, or null when the inverse is numerically not positive definite
   */
  public static DMatrix upperFactorOfInverse(DMatrix lower) {
    DMatrix inv = inverse(lower);
    if (!decompose(inv)) {
      return null;
    }
    return inv.transpose();
  }
}
