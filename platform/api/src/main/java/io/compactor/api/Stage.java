package io.compactor.api;

/**
 * Where a method runs in the chain: every sparsity step, then every quantization step, then retraining of
 * the whole model; the deploy model is exported after the last of them (see
 * {@link CompressionMethod#export}).
 */
public enum Stage {
  /** Removes or zeroes weights: filter pruning, 2:4. */
  SPARSITY("sparsity"),
  /** Lowers precision: INT8. Runs after sparsity so calibration sees the sparse weights. */
  QUANTIZATION("quantization"),
  /**
   * Trains the whole model end to end on the training form the earlier steps left, before the export.
   *
   * @since 1.3.0
   */
  RETRAINING("retraining");

  private final String id;

  Stage(String id) {
    this.id = id;
  }

  /** @return the value of the {@code compactor.stage} service property */
  public String id() {
    return id;
  }

  /**
   * @param id {@code sparsity}, {@code quantization} or {@code retraining}
   * @return the stage
   * @throws IllegalArgumentException naming the valid values
   */
  public static Stage of(String id) {
    for (Stage s : values()) {
      if (s.id.equals(id)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown stage '" + id + "'; use sparsity, quantization or retraining");
  }
}
