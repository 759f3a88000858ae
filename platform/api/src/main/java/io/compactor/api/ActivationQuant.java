package io.compactor.api;

import java.util.Objects;

/**
 * How the input activation of one quantized layer is quantized in the training form. Static: a
 * {@code QuantizeLinear → DequantizeLinear} pair with a UINT8 scale and zero point held in initializers
 * (retraining may learn the scale there; the export reads it back from the model). Dynamic: a
 * {@code DynamicQuantizeLinear → DequantizeLinear} pair whose range ONNX Runtime computes per run. None
 * (since 1.4.0, {@link #none}): the input stays float, as for an embedding table's {@code Gather} (its input
 * is the indices) or a layer whose input is a float activation; then {@link #quantized()} is false and the
 * node and scale names are empty.
 *
 * @param input the float activation before quantization
 * @param quantizeNode the QuantizeLinear (static) or DynamicQuantizeLinear (dynamic) node
 * @param dequantizeNode the DequantizeLinear node the layer reads
 * @param scale the initializer holding the scale (static), or the name of the per-run scale value (dynamic)
 * @param zeroPoint the initializer holding the UINT8 zero point (static), or the per-run zero point value
 * @param dynamic whether the range is computed per run
 * @since 1.3.0
 */
public record ActivationQuant(String input, String quantizeNode, String dequantizeNode, String scale,
    String zeroPoint, boolean dynamic) {
  public ActivationQuant {
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(quantizeNode, "quantizeNode");
    Objects.requireNonNull(dequantizeNode, "dequantizeNode");
    Objects.requireNonNull(scale, "scale");
    Objects.requireNonNull(zeroPoint, "zeroPoint");
  }

  /**
   * @param input the float input of the layer
   * @return the quantization of an input that stays float
   * @since 1.4.0
   */
  public static ActivationQuant none(String input) {
    return new ActivationQuant(input, "", "", "", "", false);
  }

  /**
   * @return whether the input is quantized (statically or dynamically); false for {@link #none}
   * @since 1.4.0
   */
  public boolean quantized() {
    return !quantizeNode.isEmpty();
  }
}
