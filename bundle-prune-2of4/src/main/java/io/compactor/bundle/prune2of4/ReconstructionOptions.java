package io.compactor.bundle.prune2of4;

import io.compactor.retrain.DampedCholesky;
import io.compactor.retrain.ObsSweep;

/**
 * How layers are reconstructed; the defaults are what {@link TwoOfFourMethod} uses.
 *
 * @param target what a layer's output is fitted to
 * @param relativeDamping OBS dampening as a fraction of the Hessian's mean diagonal
 * @param refitDamping for {@link Target#REFERENCE_OUTPUTS}: how strongly the re-fit is pulled towards the
 *     dense weights, as a fraction of the Hessian's mean diagonal (ridge towards the weights, not zero)
 * @param blockSize columns per lazy-update block of the OBS sweep
 * @param biasCorrection whether the bias joins the reconstruction (created for a Conv or Gemm without one)
 * @param reconstruct false for magnitude-only 2:4 (no calibration pass), the baseline of the benchmarks
 */
record ReconstructionOptions(Target target, double relativeDamping, double refitDamping, int blockSize,
    boolean biasCorrection, boolean reconstruct) {
  /** What each layer's reconstructed output should match. */
  enum Target {
    /**
     * The layer with its dense weights on the inputs it now receives (SparseGPT): only this layer's
     * pruning error is removed.
     */
    LAYER_WEIGHTS,
    /**
     * The reference model's output of the layer: the dense weights are first re-fitted to the reference
     * outputs by least squares regularized towards the dense weights, so the error of the layers before is
     * corrected too, and scarce data leaves the layer near its dense weights.
     */
    REFERENCE_OUTPUTS
  }

  static final ReconstructionOptions DEFAULTS = new ReconstructionOptions(Target.REFERENCE_OUTPUTS,
      DampedCholesky.DEFAULT_RELATIVE_DAMPING, 0.1, ObsSweep.DEFAULT_BLOCK, true, true);

  ReconstructionOptions withTarget(Target t) {
    return new ReconstructionOptions(t, relativeDamping, refitDamping, blockSize, biasCorrection, reconstruct);
  }

  ReconstructionOptions withDamping(double obs, double refit) {
    return new ReconstructionOptions(target, obs, refit, blockSize, biasCorrection, reconstruct);
  }

  ReconstructionOptions withBiasCorrection(boolean on) {
    return new ReconstructionOptions(target, relativeDamping, refitDamping, blockSize, on, reconstruct);
  }

  ReconstructionOptions magnitudeOnly() {
    return new ReconstructionOptions(target, relativeDamping, refitDamping, blockSize, biasCorrection, false);
  }
}
