package io.compactor.bundle.quantint8;

import io.compactor.retrain.Int8WeightOps;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * How one layer was quantized, in ONNX terms, for the export of the deploy model and the report.
 *
 * @param node the node
 * @param weight its weight initializer
 * @param axis the weight axis of per-channel scales, or -1 for one scale
 * @param scales weight scales in the units of the ONNX weight tensor: one per channel, or one
 * @param input how the layer's input is quantized: static, dynamic, or not at all (an embedding table's
 *     Gather, or a layer reading a float activation)
 * @param inputScale the static activation scale; empty unless {@code input} is static
 * @param biasScales scales of the int32 bias (input scale × weight scale), one per channel or one; empty
 *     when the bias stays float
 */
record QuantizedLayer(String node, String weight, int axis, double[] scales, Input input, OptionalDouble inputScale,
    Optional<double[]> biasScales) {
  /** How a quantized layer's input is quantized. */
  enum Input {
    /** A calibrated range in a QuantizeLinear/DequantizeLinear pair. */
    STATIC,
    /** A range computed per run (DynamicQuantizeLinear; MatMulInteger in the deploy model). */
    DYNAMIC,
    /** Not quantized: the weight is INT8, the computation float. */
    FLOAT
  }

  /**
   * Largest weight code of a dynamically quantized MatMul. {@code MatMulInteger} multiplies uint8
   * activations (0…255) by int8 weights; ONNX Runtime's x86 kernels without VNNI (AVX2, AVX-512 without VNNI)
   * add adjacent products with {@code vpmaddubsw}, which saturates at int16. With codes within ±64 a pair
   * reaches at most 2 · 255 · 64 = 32 640 ≤ 32 767, so every machine computes the exact integer product
   * the fake-quant model simulates; with ±65 or more it does not.
   */
  static final int DYNAMIC_QMAX = 64;

  QuantizedLayer {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(inputScale, "inputScale");
    if ((input == Input.STATIC) != inputScale.isPresent()) {
      throw new IllegalArgumentException(node + ": a static input needs its scale, another takes none");
    }
    Objects.requireNonNull(biasScales, "biasScales");
    scales = scales.clone();
  }

  /** @return whether the activation is quantized at run time */
  boolean dynamic() {
    return input == Input.DYNAMIC;
  }

  /** @return this layer with its int32 bias scales */
  QuantizedLayer withBiasScales(double[] biasScales) {
    return new QuantizedLayer(node, weight, axis, scales, input, inputScale, Optional.of(biasScales.clone()));
  }

  /** @return the largest weight code of this layer's grid */
  int qmax() {
    return qmax(dynamic());
  }

  /**
   * @param dynamic whether the layer's activation is quantized at run time
   * @return the largest weight code: {@link #DYNAMIC_QMAX} for dynamic MatMulInteger, 127 otherwise
   */
  static int qmax(boolean dynamic) {
    return dynamic ? DYNAMIC_QMAX : Int8WeightOps.QMAX;
  }
}
