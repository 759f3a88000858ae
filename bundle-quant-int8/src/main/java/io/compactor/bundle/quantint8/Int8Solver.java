package io.compactor.bundle.quantint8;

import io.compactor.retrain.DMatrix;
import io.compactor.retrain.DampedCholesky;
import io.compactor.retrain.Int8WeightOps;
import io.compactor.retrain.LayerStatistics;
import io.compactor.retrain.LinearLayer;
import io.compactor.retrain.ObsSweep;
import io.compactor.retrain.SequentialReconstruction.LayerSolver;
import io.compactor.retrain.SequentialReconstruction.LayerUpdate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;

/**
 * Retrains one layer's INT8 weights on the inputs it receives from the model as quantized so far (input
 * fake-quant included): optionally a ridge re-fit of the float weights (and bias) towards the reference
 * layer output (off by default: it overfits small calibration sets); error-minimizing symmetric scales;
 * GPTQ rounding with error compensation, the bias taking the compensation as a free column. Weights that were exactly zero end
 * exactly zero. Falls back to nearest rounding of the original weights when that has the lower error on
 * the calibration rows. Remembers each layer's scales (per row of {@code W[out, in]}) for the export.
 */
final class Int8Solver implements LayerSolver {
  /** GPTQ's dampening: 1 % of the mean Hessian diagonal. */
  static final double OBS_DAMPING = DampedCholesky.DEFAULT_RELATIVE_DAMPING;
  /** Ridge strength of the re-fit towards the current weights, as a fraction of the mean diagonal. */
  static final double REFIT_DAMPING = 0.1;
  private final Predicate<String> perRow;
  private final ToIntFunction<String> qmax;
  private final boolean refit;
  private final Map<String, double[]> scales = new LinkedHashMap<>();

  /**
   * @param perRow whether a layer gets one scale per output channel
   * @param qmax a layer's largest weight code (see {@link QuantizedLayer#qmax(boolean)})
   * @param refit whether weights are re-fitted to the reference outputs before rounding
   */
  Int8Solver(Predicate<String> perRow, ToIntFunction<String> qmax, boolean refit) {
    this.perRow = perRow;
    this.qmax = qmax;
    this.refit = refit;
  }

  /** @return the row scales chosen for {@code node}, in units of {@code W[out, in]} */
  double[] scales(String node) {
    return scales.get(node);
  }

  @Override
  public LayerUpdate solve(LinearLayer layer, DMatrix weights, Optional<double[]> bias, LayerStatistics stats) {
    long start = System.nanoTime();
    int in = weights.cols();
    int out = weights.rows();
    double[] b = bias.orElse(null);
    boolean[] zeros = Int8WeightOps.zeroMask(weights);
    boolean rows = perRow.test(layer.node());
    int grid = qmax.applyAsInt(layer.node());
    boolean withBias = layer.biasSlot().writable();
    DMatrix gram = withBias ? stats.augmentedGram() : stats.gram();
    DMatrix start0 = withBias ? weights.withColumn(b) : weights.copy();
    DampedCholesky factor = DampedCholesky.factor(layer.node(), gram, OBS_DAMPING);
    DMatrix fitted = start0;
    if (refit) {
      DMatrix cross = withBias ? stats.augmentedCross() : stats.crossWithoutBias(b);
      DampedCholesky ridge = DampedCholesky.factor(layer.node(), gram, REFIT_DAMPING);
      for (int i = 0; i < cross.rows(); i++) {
        for (int o = 0; o < out; o++) {
          cross.add(i, o, ridge.damping() * start0.get(o, i));
        }
      }
      ridge.solve(cross);
      fitted = cross.transpose();
    }
    double[] importance = stats.gram().diagonal();
    DMatrix fittedWeights = fitted.leadingColumns(in);
    for (int i = 0; i < zeros.length; i++) {
      if (zeros[i]) {
        fittedWeights.data()[i] = 0;   // scales are chosen for the weights that survive
      }
    }
    double[] s = Int8WeightOps.searchScales(fittedWeights, importance, rows, grid);
    ObsSweep.Result rounded = Int8WeightOps.gptq(fitted, factor.upperFactorOfInverse(), s, zeros, in,
        ObsSweep.DEFAULT_BLOCK, grid);
    DMatrix w = rounded.weights().leadingColumns(in);
    double[] newBias = withBias ? rounded.weights().column(in) : b;

    double[] nearestScales = Int8WeightOps.searchScales(weights, importance, rows, grid);
    DMatrix nearest = Int8WeightOps.roundToNearest(weights, nearestScales, grid);
    double errorFloat = stats.relativeError(weights, b);
    double errorNearest = stats.relativeError(nearest, b);
    double errorRetrained = stats.relativeError(w, newBias);
    String rounding = refit ? "gptq (re-fitted to the reference output)" : "gptq";
    if (!(errorRetrained <= errorNearest)) {
      w = nearest;
      s = nearestScales;
      newBias = b;
      errorRetrained = errorNearest;
      rounding = "nearest (retraining did not lower the error)";
    }
    scales.put(layer.node(), s);
    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("rounding", rounding);
    metrics.put("error_float_weights", errorFloat);
    metrics.put("error_nearest", errorNearest);
    metrics.put("error_retrained", errorRetrained);
    metrics.put("bias_corrected", withBias && newBias != b);
    metrics.put("relative_damping", factor.relativeDamping());
    metrics.put("calibration_rows", stats.rows());
    metrics.put("seconds", (System.nanoTime() - start) / 1e9);
    return new LayerUpdate(w, withBias && newBias != b ? Optional.of(newBias) : Optional.empty(), metrics);
  }
}
