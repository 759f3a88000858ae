package io.compactor.retrain;

import io.compactor.retrain.internal.CholeskyOps;
import io.compactor.retrain.internal.GramOps;
import java.util.Objects;

/**
 * The Cholesky factorization of a Hessian {@code H = XᵀX} after dampening: {@code H + λI} with
 * {@code λ = relativeDamping × mean(diag H)}. When the damped matrix is still not positive definite the
 * dampening is raised tenfold, up to {@link #MAX_RELATIVE_DAMPING}, before giving up with a message
 * that names the layer. The factor is the upper-lower one, {@code H + λI = V Vᵀ} with {@code V} upper
 * triangular (a Cholesky factorization in reversed order), because then the upper factor of the inverse
 * that OBS sweeps need is simply {@code V⁻¹}. Immutable once built.
 */
public final class DampedCholesky {
  /** The dampening SparseGPT and GPTQ use: 1 % of the mean diagonal. */
  public static final double DEFAULT_RELATIVE_DAMPING = 0.01;
  /** The largest relative dampening tried before failing. */
  public static final double MAX_RELATIVE_DAMPING = 10;

  private final DMatrix reversedLower;
  private final double relativeDamping;
  private final double damping;

  private DampedCholesky(DMatrix reversedLower, double relativeDamping, double damping) {
    this.reversedLower = reversedLower;
    this.relativeDamping = relativeDamping;
    this.damping = damping;
  }

  /**
   * @param layer the layer, for messages
   * @param hessian a symmetric positive semi-definite matrix; not modified
   * @param relativeDamping the first dampening to try, as a fraction of the mean diagonal, &gt; 0
   * @return the factor of the damped matrix
   * @throws ReconstructionException when the matrix holds non-finite values, or is still not positive
   *     definite at {@link #MAX_RELATIVE_DAMPING}
   */
  public static DampedCholesky factor(String layer, DMatrix hessian, double relativeDamping) {
    Objects.requireNonNull(hessian, "hessian");
    if (!(relativeDamping > 0)) {
      throw new IllegalArgumentException(layer + ": relative dampening must be positive, got " + relativeDamping);
    }
    double mean = GramOps.meanDiagonal(hessian);
    if (!Double.isFinite(mean)) {
      throw new ReconstructionException(layer, "the Hessian of the layer input holds non-finite values, got mean "
          + "diagonal " + mean + "; check the calibration data and the model before this layer for NaN or Inf");
    }
    double scale = mean > 0 ? mean : 1;
    for (double rel = relativeDamping; rel <= MAX_RELATIVE_DAMPING * (1 + 1e-9); rel *= 10) {
      DMatrix a = reversed(hessian);
      double lambda = rel * scale;
      GramOps.addToDiagonal(a, lambda);
      if (CholeskyOps.decompose(a)) {
        return new DampedCholesky(a, rel, lambda);
      }
    }
    throw new ReconstructionException(layer, "the Hessian of the layer input is not positive definite even with "
        + "dampening " + MAX_RELATIVE_DAMPING + " x mean diagonal, got mean diagonal " + mean
        + "; add calibration samples or check the layer input for constant or non-finite values");
  }

  /** @return {@code P a P} for the reversal permutation {@code P}: rows and columns in reverse order */
  private static DMatrix reversed(DMatrix a) {
    int n = a.rows();
    DMatrix r = DMatrix.zeros(n, n);
    double[] src = a.data();
    double[] dst = r.data();
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        dst[i * n + j] = src[(n - 1 - i) * n + (n - 1 - j)];
      }
    }
    return r;
  }

  /** @return a new matrix {@code V}, upper triangular, with {@code H + λI = V Vᵀ} */
  public DMatrix upperFactor() {
    return reversed(reversedLower);
  }

  /** @return the relative dampening that succeeded (at least the one asked for) */
  public double relativeDamping() {
    return relativeDamping;
  }

  /** @return the absolute value {@code λ} added to the diagonal */
  public double damping() {
    return damping;
  }

  /** @return a new matrix, {@code (H + λI)⁻¹} */
  public DMatrix inverse() {
    return reversed(CholeskyOps.inverse(reversedLower));
  }

  /** @return a new matrix {@code U = V⁻¹}, upper triangular, with {@code (H + λI)⁻¹ = Uᵀ U} */
  public DMatrix upperFactorOfInverse() {
    return reversed(CholeskyOps.invertLower(reversedLower));
  }

  /**
   * Solves {@code (H + λI) X = B}.
   *
   * @param b right-hand sides; overwritten with the solution
   */
  public void solve(DMatrix b) {
    DMatrix r = reversedRows(b);
    CholeskyOps.solve(reversedLower, r);
    DMatrix back = reversedRows(r);
    System.arraycopy(back.data(), 0, b.data(), 0, b.data().length);
  }

  private static DMatrix reversedRows(DMatrix b) {
    int n = b.rows();
    int k = b.cols();
    DMatrix r = DMatrix.zeros(n, k);
    for (int i = 0; i < n; i++) {
      System.arraycopy(b.data(), (n - 1 - i) * k, r.data(), i * k, k);
    }
    return r;
  }
}
