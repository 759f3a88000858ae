package io.compactor.api;

import java.util.Objects;

/**
 * The quantization parameters of one layer in the training form: enough for retraining to simulate it and
 * for the quantization provider's {@link CompressionMethod#export} to rebuild the deploy model from the
 * (retrained) float weights.
 *
 * @param node the quantized layer (Conv, ConvTranspose, Gemm or MatMul; since 1.4.0 also a Gather on a
 *     constant table, whose {@code activation} is {@link ActivationQuant#none})
 * @param weight its weight initializer (a Gather's table), float in the training form
 * @param grid the weight's integer grid
 * @param activation how its input activation is quantized
 * @param int32Bias whether the export stores the bias as int32 with scale {@code input scale × weight scale}
 * @since 1.3.0
 */
public record LayerQuantization(String node, String weight, WeightGrid grid, ActivationQuant activation,
    boolean int32Bias) {
  public LayerQuantization {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(weight, "weight");
    Objects.requireNonNull(grid, "grid");
    Objects.requireNonNull(activation, "activation");
  }
}
