package io.compactor.core.config;

/**
 * AMCT's {@code DataType} enum. The vocabulary has three values; Compactor, like every AMCT product,
 * retrains to {@link #INT8} only and rejects the others when a configuration is read.
 */
public enum DataType {
  /** Field value 0; not supported. */
  INT4(0),
  /** Field value 1; the only supported target. */
  INT8(1),
  /** Field value 2; not supported. */
  INT16(2);

  private final int number;

  DataType(int number) {
    this.number = number;
  }

  /** @return the protobuf enum number */
  public int number() {
    return number;
  }
}
