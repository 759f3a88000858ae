package io.compactor.bundle.retraindistill.training;

/**
 * How long and how a model is distilled.
 *
 * @param epochs passes over the training samples, at least 1
 * @param learningRate Adam's step size, > 0
 * @param batchSize samples per optimizer step, at least 1
 * @param maxMinutes wall-clock bound of the whole run (evaluation included), > 0
 * @param seed libtorch's generator and the sample order
 * @param heldOutFraction share of the samples held out for early stopping, in [0, 0.5]; 0 keeps the last epoch
 * @param temperature softening of logits in the KL term, > 0
 * @param patience epochs without a better held-out loss before training stops, at least 1
 */
public record DistillSettings(int epochs, double learningRate, int batchSize, double maxMinutes, int seed,
    double heldOutFraction, double temperature, int patience) {
  /** Defaults of everything but the configurable values: temperature 2, patience 2. */
  public static DistillSettings of(int epochs, double learningRate, int batchSize, double maxMinutes, int seed,
      double heldOutFraction) {
    return new DistillSettings(epochs, learningRate, batchSize, maxMinutes, seed, heldOutFraction, 2, 2);
  }

  public DistillSettings {
    require(epochs >= 1, "epochs", epochs, "at least 1");
    require(learningRate > 0 && Double.isFinite(learningRate), "learning_rate", learningRate, "a positive number");
    require(batchSize >= 1, "batch_size", batchSize, "at least 1");
    require(maxMinutes > 0, "max_minutes", maxMinutes, "positive");
    require(heldOutFraction >= 0 && heldOutFraction <= 0.5, "held_out_fraction", heldOutFraction,
        "between 0 and 0.5");
    require(temperature > 0 && Double.isFinite(temperature), "temperature", temperature, "a positive number");
    require(patience >= 1, "patience", patience, "at least 1");
  }

  private static void require(boolean ok, String field, Object value, String wanted) {
    if (!ok) {
      throw new IllegalArgumentException(field + " must be " + wanted + ", got " + value);
    }
  }
}
