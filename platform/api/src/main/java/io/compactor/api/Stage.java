package io.compactor.api;

/** Where a method runs in the chain: every sparsity step before every quantization step. */
public enum Stage {
  /** Removes or zeroes weights: filter pruning, 2:4. */
  SPARSITY("sparsity"),
  /** Lowers precision: INT8. Runs after sparsity so calibration sees the sparse weights. */
  QUANTIZATION("quantization");

  private final String id;

  Stage(String id) {
    this.id = id;
  }

  /** @return the value of the {@code compactor.stage} service property */
  public String id() {
    return id;
  }

  /**
   * @param id {@code sparsity} or {@code quantization}
   * @return the stage
   * @throws IllegalArgumentException naming the valid values
   */
  public static Stage of(String id) {
    for (Stage s : values()) {
      if (s.id.equals(id)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown stage '" + id + "'; use sparsity or quantization");
  }
}
