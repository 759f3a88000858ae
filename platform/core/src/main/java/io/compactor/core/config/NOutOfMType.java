package io.compactor.core.config;

/** AMCT's {@code NOutOfMType} enum: which N of every M consecutive input-channel weights survive. */
public enum NOutOfMType {
  /** Field value 0: keep 2 of every 4 (2:4 structured sparsity). */
  M4N2(0);

  private final int number;

  NOutOfMType(int number) {
    this.number = number;
  }

  /** @return the protobuf enum number */
  public int number() {
    return number;
  }
}
