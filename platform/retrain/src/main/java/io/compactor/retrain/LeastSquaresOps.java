package io.compactor.retrain;

/**
 * Ridge least squares from accumulated statistics: the weights {@code W} that minimize
 * {@code ||X Wᵀ − Y||² + λ||W||²} given only {@code H = XᵀX} and {@code C = XᵀY}. Used to re-fit a layer
 * to the original model's outputs after the layers before it changed. Stateless.
 */
public final class LeastSquaresOps {
  private LeastSquaresOps() {}

  /**
   * @param layer the layer, for messages
   * @param gram {@code H = XᵀX}, {@code in x in}; not modified
   * @param cross {@code C = XᵀY}, {@code in x out}; not modified
   * @param relativeDamping {@code λ} as a fraction of the mean diagonal of {@code H} (escalated when needed)
   * @return a new {@code out x in} matrix, {@code W = ((H + λI)⁻¹ C)ᵀ}
   */
  public static DMatrix ridge(String layer, DMatrix gram, DMatrix cross, double relativeDamping) {
    MatrixDimensionException.require(gram.rows() == gram.cols() && cross.rows() == gram.rows(), "ridge",
        "H must be in x in and C in x out", gram, cross);
    DampedCholesky factor = DampedCholesky.factor(layer, gram, relativeDamping);
    DMatrix solution = cross.copy();
    factor.solve(solution);
    return solution.transpose();
  }

  /**
   * Ridge least squares pulled towards prior weights instead of towards zero: solves
   * {@code (H + λI) Wᵀ = C + λ W₀ᵀ}, the minimizer of {@code ||X Wᵀ − Y||² + λ||W − W₀||²}. With scarce
   * calibration data the result stays near {@code W₀} (e.g. a layer's weights before its inputs were
   * pruned) rather than shrinking.
   *
   * @param layer the layer, for messages
   * @param gram {@code H = XᵀX}, {@code in x in}; not modified
   * @param cross {@code C = XᵀY}, {@code in x out}; not modified
   * @param prior {@code W₀}, {@code out x in}; not modified
   * @param relativeDamping {@code λ} as a fraction of the mean diagonal of {@code H} (escalated when needed)
   * @return a new {@code out x in} matrix
   */
  public static DMatrix ridgeTowards(String layer, DMatrix gram, DMatrix cross, DMatrix prior,
      double relativeDamping) {
    MatrixDimensionException.require(gram.rows() == gram.cols() && cross.rows() == gram.rows()
        && prior.rows() == cross.cols() && prior.cols() == gram.rows(), "ridgeTowards",
        "H must be in x in, C in x out and W0 out x in", gram, cross, prior);
    DampedCholesky factor = DampedCholesky.factor(layer, gram, relativeDamping);
    DMatrix rhs = cross.copy();
    for (int i = 0; i < rhs.rows(); i++) {
      for (int o = 0; o < rhs.cols(); o++) {
        rhs.add(i, o, factor.damping() * prior.get(o, i));
      }
    }
    factor.solve(rhs);
    return rhs.transpose();
  }
}
