package io.compactor.bundle.quantint8;

/**
 * How weights are quantized; {@link #DEFAULTS} is what {@link QuantInt8Method} uses, the others exist for
 * the benchmarks' side-by-side comparisons.
 *
 * @param retrain GPTQ rounding on the calibration data; false rounds every weight to nearest
 * @param refit re-fit the float weights to the reference layer output before rounding
 * @param checkDeploy run the deploy model against the fake-quant model on one calibration batch for the report
 */
record QuantOptions(boolean retrain, boolean refit, boolean checkDeploy) {
  static final QuantOptions DEFAULTS = new QuantOptions(true, true, true);

  QuantOptions withRetrain(boolean on) {
    return new QuantOptions(on, refit, checkDeploy);
  }

  QuantOptions withRefit(boolean on) {
    return new QuantOptions(retrain, on, checkDeploy);
  }
}
