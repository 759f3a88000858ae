package io.compactor.core.config;

/** The weight retraining algorithm: the member of AMCT's {@code weights_retrain_algo} oneof. */
public enum WeightAlgorithm {
  /** {@code arq_retrain}: the default, recommended for weights. */
  ARQ_RETRAIN("arq_retrain"),
  /** {@code ulq_retrain}. */
  ULQ_RETRAIN("ulq_retrain");

  private final String field;

  WeightAlgorithm(String field) {
    this.field = field;
  }

  /** @return the AMCT field name, also the value of the {@code weight_algo} setting */
  public String field() {
    return field;
  }
}
