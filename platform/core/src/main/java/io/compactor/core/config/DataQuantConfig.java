package io.compactor.core.config;

import java.util.Objects;
import java.util.Optional;

/**
 * AMCT's {@code retrain_data_quant_config { ulq_quantize { ... } }}: activation quantization by ULQ, the
 * only activation algorithm. An empty block means ULQ with every default.
 *
 * @param clipMaxMin the starting clip range; absent: found by IFMR on the calibration data
 * @param fixedMin true pins the lower clip at 0; absent: the bundle decides (true after a ReLU)
 * @param dstType always {@link DataType#INT8}
 * @param compactorDynamic Compactor extension {@code compactor_dynamic}: true quantizes MatMul activations
 *     at run time (per tensor, per run) instead of with a static range; absent: static, as AMCT
 * @param compactorEqualization Compactor extension {@code compactor_equalization}: where equalization may divide
 *     the layer's input ({@code WITH_MUL}, {@code FOLDED}, {@code NONE}); absent: the bundle's default
 */
public record DataQuantConfig(Optional<ClipMaxMin> clipMaxMin, Optional<Boolean> fixedMin, DataType dstType,
    Optional<Boolean> compactorDynamic, Optional<CompactorEqualization> compactorEqualization) {
  /** ULQ with every default. */
  public static final DataQuantConfig DEFAULT =
      new DataQuantConfig(Optional.empty(), Optional.empty(), DataType.INT8);

  /** AMCT's fields only, without the Compactor extensions. */
  public DataQuantConfig(Optional<ClipMaxMin> clipMaxMin, Optional<Boolean> fixedMin, DataType dstType) {
    this(clipMaxMin, fixedMin, dstType, Optional.empty(), Optional.empty());
  }

  public DataQuantConfig {
    Objects.requireNonNull(clipMaxMin, "clipMaxMin");
    Objects.requireNonNull(fixedMin, "fixedMin");
    Objects.requireNonNull(compactorDynamic, "compactorDynamic");
    Objects.requireNonNull(compactorEqualization, "compactorEqualization");
    if (dstType != DataType.INT8) {
      throw new IllegalArgumentException("dst_type must be INT8, got " + dstType);
    }
  }
}
