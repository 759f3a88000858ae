package io.compactor.core.config;

import java.util.Objects;
import java.util.Optional;

/**
 * AMCT's {@code retrain_weight_quant_config}: symmetric INT8 weight quantization with one algorithm. An
 * empty block means {@code arq_retrain} with every default.
 *
 * @param algorithm the member of the {@code weights_retrain_algo} oneof
 * @param channelWise per-output-channel scales; absent: true for Conv and ConvTranspose, false for Gemm
 *     and MatMul (true is illegal there)
 * @param dstType always {@link DataType#INT8}
 */
public record WeightQuantConfig(WeightAlgorithm algorithm, Optional<Boolean> channelWise, DataType dstType) {
  /** ARQ with every default. */
  public static final WeightQuantConfig DEFAULT =
      new WeightQuantConfig(WeightAlgorithm.ARQ_RETRAIN, Optional.empty(), DataType.INT8);

  public WeightQuantConfig {
    Objects.requireNonNull(algorithm, "algorithm");
    Objects.requireNonNull(channelWise, "channelWise");
    if (dstType != DataType.INT8) {
      throw new IllegalArgumentException("dst_type must be INT8, got " + dstType);
    }
  }
}
