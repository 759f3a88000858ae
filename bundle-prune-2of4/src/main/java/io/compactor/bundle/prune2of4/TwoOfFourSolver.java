package io.compactor.bundle.prune2of4;

import io.compactor.retrain.ColumnGroups;
import io.compactor.retrain.DMatrix;
import io.compactor.retrain.DampedCholesky;
import io.compactor.retrain.LayerStatistics;
import io.compactor.retrain.LinearLayer;
import io.compactor.retrain.NmMaskOps;
import io.compactor.retrain.NmObsPruner;
import io.compactor.retrain.SequentialReconstruction.LayerSolver;
import io.compactor.retrain.SequentialReconstruction.LayerUpdate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Reconstructs one layer under 2:4: optionally a re-fit of the dense weights to the reference outputs, then
 * OBS mask choice with error-compensating weight updates on the layer's input Hessian, the bias joining the
 * system as a never-pruned column when it may be written. Reports the
 * layer's relative output error (against the reference model's layer output, on calibration rows) of the
 * dense weights, of magnitude-only 2:4 and of the reconstruction. Stateless apart from its settings.
 */
final class TwoOfFourSolver implements LayerSolver {
  private final ReconstructionOptions options;
  private final Function<String, TwoOfFourSettings> settings;

  /**
   * @param options how to reconstruct
   * @param settings the resolved settings per node name
   */
  TwoOfFourSolver(ReconstructionOptions options, Function<String, TwoOfFourSettings> settings) {
    this.options = options;
    this.settings = settings;
  }

  @Override
  public LayerUpdate solve(LinearLayer layer, DMatrix weights, Optional<double[]> bias, LayerStatistics stats) {
    long start = System.nanoTime();
    TwoOfFourSettings s = settings.apply(layer.node());
    ColumnGroups groups = layer.inputChannelGroups(s.pattern().groupSize());
    double[] b = bias.orElse(null);
    DMatrix magnitude = weights.copy();
    NmMaskOps.apply(magnitude, NmMaskOps.magnitudeMask(weights, groups, s.pattern()));

    boolean withBias = options.biasCorrection() && layer.biasSlot().writable();
    int in = weights.cols();
    int out = weights.rows();
    DMatrix gram = withBias ? stats.augmentedGram() : stats.gram();
    DMatrix dense = withBias ? weights.withColumn(b) : weights;
    DampedCholesky factor = DampedCholesky.factor(layer.node(), gram, options.relativeDamping());
    if (options.target() == ReconstructionOptions.Target.REFERENCE_OUTPUTS) {
      dense = refit(layer.node(), gram, withBias ? stats.augmentedCross() : stats.crossWithoutBias(b), dense,
          factor);
    }
    NmObsPruner.Result pruned = NmObsPruner.prune(dense, factor.upperFactorOfInverse(), groups,
        s.pattern(), s.updateFreq(), options.blockSize());
    DMatrix w = withBias ? pruned.weights().leadingColumns(in) : pruned.weights();
    double[] newBias = withBias ? pruned.weights().column(in) : b;

    double errorDense = stats.relativeError(weights, b);
    double errorMagnitude = stats.relativeError(magnitude, b);
    double errorReconstructed = stats.relativeError(w, newBias);
    String outcome = "reconstructed";
    if (!(errorReconstructed <= errorMagnitude)) {
      w = magnitude;
      newBias = b;
      errorReconstructed = errorMagnitude;
      outcome = "magnitude (reconstruction did not lower the error)";
    }
    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("status", outcome);
    metrics.put("pattern", s.pattern().amctName());
    metrics.put("update_freq", s.updateFreq());
    metrics.put("sparsity", (double) NmMaskOps.zeros(w) / ((long) out * in));
    metrics.put("error_dense", errorDense);
    metrics.put("error_magnitude", errorMagnitude);
    metrics.put("error_reconstructed", errorReconstructed);
    metrics.put("bias_corrected", withBias && newBias != b);
    metrics.put("relative_damping", factor.relativeDamping());
    metrics.put("calibration_rows", stats.rows());
    metrics.put("seconds", (System.nanoTime() - start) / 1e9);
    return new LayerUpdate(w, withBias && newBias != b ? Optional.of(newBias) : Optional.empty(), metrics);
  }

  /**
   * Ridge least squares towards the dense weights rather than towards zero:
   * {@code (H + λI) Wᵀ = XᵀY + λ W₀ᵀ}, so scarce calibration data leaves the layer near its dense
   * weights instead of shrinking it.
   */
  private DMatrix refit(String node, DMatrix gram, DMatrix cross, DMatrix dense, DampedCholesky obsFactor) {
    DampedCholesky factor = options.refitDamping() == options.relativeDamping() ? obsFactor
        : DampedCholesky.factor(node, gram, options.refitDamping());
    for (int i = 0; i < cross.rows(); i++) {
      for (int o = 0; o < cross.cols(); o++) {
        cross.add(i, o, factor.damping() * dense.get(o, i));
      }
    }
    factor.solve(cross);
    return cross.transpose();
  }
}
