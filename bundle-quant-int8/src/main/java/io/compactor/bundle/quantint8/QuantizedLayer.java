package io.compactor.bundle.quantint8;

import io.compactor.retrain.ActivationRange;
import java.util.Objects;
import java.util.Optional;

/**
 * How one layer was quantized, in ONNX terms, for the export of the deploy model and the report.
 *
 * @param node the node
 * @param weight its weight initializer
 * @param axis the weight axis of per-channel scales, or -1 for one scale
 * @param scales weight scales in the units of the ONNX weight tensor: one per channel, or one
 * @param input the static activation range; empty when the activation is quantized dynamically
 * @param biasScales scales of the int32 bias (input scale × weight scale), one per channel or one; empty
 *     when the bias stays float
 */
record QuantizedLayer(String node, String weight, int axis, double[] scales, Optional<ActivationRange> input,
    Optional<double[]> biasScales) {
  QuantizedLayer {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(biasScales, "biasScales");
    scales = scales.clone();
  }

  /** @return whether the activation is quantized at run time */
  boolean dynamic() {
    return input.isEmpty();
  }
}
