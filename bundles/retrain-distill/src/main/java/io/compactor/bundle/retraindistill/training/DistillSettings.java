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
 * @param scaleRate step size of the learned activation scales' logarithm, relative to {@code learningRate}
 *     (a step changes a scale by about {@code scaleRate · learningRate} of itself, at most
 *     {@link #MAX_SCALE_STEP}: {@link #scaleStep}), > 0
 * @param hintWeight weight of the intermediate term (the outputs of the quantized and sparse layers matched to
 *     the teacher's, {@link DistillObjective#hintLoss}) against the graph outputs' term, ≥ 0; 0 leaves it out
 * @param pooledWeight weight of the pooled term on token outputs (the cosine distance of the mask-weighted mean
 *     over tokens, a sentence embedding, to the teacher's, {@link DistillObjective#pooledDistance}), added to
 *     such an output's own term, ≥ 0; 0 leaves it out
 */
public record DistillSettings(int epochs, double learningRate, int batchSize, double maxMinutes, int seed,
    double heldOutFraction, double temperature, int patience, double scaleRate, double hintWeight,
    double pooledWeight) {
  /** Temperature of the KL term unless configured. */
  public static final double TEMPERATURE = 2;
  /** Patience unless configured. */
  public static final int PATIENCE = 2;
  /** Relative step size of activation scales unless configured. */
  public static final double SCALE_RATE = 10;
  /**
   * The largest relative step of an activation scale: 0.1 %. A scale is shared by a whole tensor, so a larger
   * step moves every code of it at once; at the step sizes CNNs train with (1e-3 and up) {@code scaleRate} 10
   * would move scales by 1 % per step, and digits-cnn's held-out loss jumped after three epochs.
   */
  public static final double MAX_SCALE_STEP = 1e-3;
  /** Weight of the intermediate term unless configured. */
  public static final double HINT_WEIGHT = 0;
  /** Weight of the pooled term unless configured: off, it did not help MiniLM 2:4 + INT8 (docs/benchmarks.md). */
  public static final double POOLED_WEIGHT = 0;

  /** Defaults of everything but the configurable values: temperature, patience and scale rate. */
  public static DistillSettings of(int epochs, double learningRate, int batchSize, double maxMinutes, int seed,
      double heldOutFraction) {
    return new DistillSettings(epochs, learningRate, batchSize, maxMinutes, seed, heldOutFraction, TEMPERATURE,
        PATIENCE, SCALE_RATE, HINT_WEIGHT, POOLED_WEIGHT);
  }

  /** @return the peak step size of the activation scales' logarithm: {@code scaleRate · learningRate}, capped */
  public double scaleStep() {
    return Math.min(scaleRate * learningRate, MAX_SCALE_STEP);
  }

  /** @return these settings with another relative step size of the activation scales */
  public DistillSettings withScaleRate(double rate) {
    return new DistillSettings(epochs, learningRate, batchSize, maxMinutes, seed, heldOutFraction, temperature,
        patience, rate, hintWeight, pooledWeight);
  }

  /** @return these settings with another weight of the intermediate term */
  public DistillSettings withHintWeight(double weight) {
    return new DistillSettings(epochs, learningRate, batchSize, maxMinutes, seed, heldOutFraction, temperature,
        patience, scaleRate, weight, pooledWeight);
  }

  /** @return these settings with another weight of the pooled term */
  public DistillSettings withPooledWeight(double weight) {
    return new DistillSettings(epochs, learningRate, batchSize, maxMinutes, seed, heldOutFraction, temperature,
        patience, scaleRate, hintWeight, weight);
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
    require(scaleRate > 0 && Double.isFinite(scaleRate), "scale_rate", scaleRate, "a positive number");
    require(hintWeight >= 0 && Double.isFinite(hintWeight), "hint_weight", hintWeight, "0 or more");
    require(pooledWeight >= 0 && Double.isFinite(pooledWeight), "pooled_weight", pooledWeight, "0 or more");
  }

  private static void require(boolean ok, String field, Object value, String wanted) {
    if (!ok) {
      throw new IllegalArgumentException(field + " must be " + wanted + ", got " + value);
    }
  }
}
