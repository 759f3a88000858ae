package io.compactor.bundle.quantint8;

/**
 * How weights are quantized; {@link #DEFAULTS} is what {@link QuantInt8Method} uses, the others exist for
 * the benchmarks' side-by-side comparisons.
 *
 * @param retrain GPTQ rounding on the calibration data; false rounds every weight to nearest
 * @param refit re-fit the float weights to the reference layer output before rounding
 * @param equalize SmoothQuant-style equalization of MatMul inputs, α chosen by measured error
 * @param foldBatchNorm fold a BatchNormalization into the Conv before it ({@link BatchNormFold})
 * @param quantizeConvOutputs give every statically quantized Conv's output (after its Relu) a calibrated
 *     QuantizeLinear read by all its consumers, so ONNX Runtime runs it as {@code QLinearConv}
 */
record QuantOptions(boolean retrain, boolean refit, boolean equalize, boolean foldBatchNorm,
    boolean quantizeConvOutputs) {
  /**
   * GPTQ without the re-fit: on MiniLM the ridge re-fit to 153 calibration sentences lowered the in-sample
   * error but cost held-out cosine (0.9924 vs 0.9940, dynamic activations).
   */
  static final QuantOptions DEFAULTS = new QuantOptions(true, false, true, true, true);

  QuantOptions withRetrain(boolean on) {
    return new QuantOptions(on, refit, equalize, foldBatchNorm, quantizeConvOutputs);
  }

  QuantOptions withRefit(boolean on) {
    return new QuantOptions(retrain, on, equalize, foldBatchNorm, quantizeConvOutputs);
  }

  QuantOptions withEqualize(boolean on) {
    return new QuantOptions(retrain, refit, on, foldBatchNorm, quantizeConvOutputs);
  }

  QuantOptions withFoldBatchNorm(boolean on) {
    return new QuantOptions(retrain, refit, equalize, on, quantizeConvOutputs);
  }

  QuantOptions withQuantizeConvOutputs(boolean on) {
    return new QuantOptions(retrain, refit, equalize, foldBatchNorm, on);
  }
}
