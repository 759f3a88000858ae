package io.compactor.retrain;

import java.util.Objects;

/**
 * The Cholesky factor of a Hessian {@code H = XᵀX} after dampening: {@code H + λI} with
 * {@code λ = relativeDamping × mean(diag H)}. When the damped matrix is still not positive definite the
 * dampening is raised tenfold, up to {@link #MAX_RELATIVE_DAMPING}, before giving up with a message
 * that names the layer. Immutable once built.
 */
public final class DampedCholesky {
  /** The dampening SparseGPT and GPTQ use: 1 % of the mean diagonal. */
  public static final double DEFAULT_RELATIVE_DAMPING = 0.01;
  /** The largest relative dampening tried before failing. */
  public static final double MAX_RELATIVE_DAMPING = 10;

  private final DMatrix lower;
  private final double relativeDamping;
  private final double damping;

  private DampedCholesky(DMatrix lower, double relativeDamping, double damping) {
    this.lower = lower;
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
      DMatrix a = hessian.copy();
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

  /** @return the lower factor {@code L} of {@code H + λI}; do not modify it */
  public DMatrix lower() {
    return lower;
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
    return CholeskyOps.inverse(lower);
  }

  /**
   * @param layer the layer, for messages
   * @return a new matrix {@code U}, upper triangular, with {@code (H + λI)⁻¹ = Uᵀ U}
   * @throws ReconstructionException when rounding makes the inverse lose definiteness
   */
  public DMatrix upperFactorOfInverse(String layer) {
    DMatrix u = CholeskyOps.upperFactorOfInverse(lower);
    if (u == null) {
      throw new ReconstructionException(layer, "the inverse Hessian lost positive definiteness to rounding, got "
          + "relative dampening " + relativeDamping + "; raise the dampening or add calibration samples");
    }
    return u;
  }

  /**
   * Solves {@code (H + λI) X = B}.
   *
   * @param b right-hand sides; overwritten with the solution
   */
  public void solve(DMatrix b) {
    CholeskyOps.solve(lower, b);
  }
}
