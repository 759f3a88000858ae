package io.compactor.core.config;

/** AMCT's {@code FakequantPrecisionMode} enum (field 21). Absent means the activation scale stays fp32. */
public enum FakequantPrecisionMode {
  /** Field value 1: round the activation scale of the fake-quant ops to fp16 precision. */
  FORCE_FP16_QUANT(1);

  private final int number;

  FakequantPrecisionMode(int number) {
    this.number = number;
  }

  /** @return the protobuf enum number */
  public int number() {
    return number;
  }
}
