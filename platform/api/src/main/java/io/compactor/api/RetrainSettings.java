package io.compactor.api;

import java.util.Objects;

/**
 * The settings of the retraining stage ({@value Capabilities#RETRAIN_DISTILL}), one per job, from the
 * configuration's {@code compactor_retrain} block. The host validated them.
 *
 * @param epochs passes over the training data, at least 1
 * @param learningRate the optimizer's step size, positive
 * @param batchSize samples per optimizer step, at least 1
 * @param maxMinutes wall-time budget; stop after the epoch that exceeds it
 * @param seed seeds shuffling, the held-out split and initialization
 * @param heldOutFraction share of the training data held out for early stopping and {@code heldOutFidelity},
 *     from 0 to 0.5
 * @param train which float weights and biases are updated
 * @since 1.3.0
 */
public record RetrainSettings(int epochs, double learningRate, int batchSize, double maxMinutes, long seed,
    double heldOutFraction, Train train) {
  /** {@code train}: which float weights and biases retraining updates. */
  public enum Train {
    /** Every float weight and bias of the model. */
    ALL,
    /** Only those of {@link TrainingForm#compressed()}. */
    COMPRESSED
  }

  public RetrainSettings {
    Objects.requireNonNull(train, "train");
    if (epochs < 1 || batchSize < 1) {
      throw new IllegalArgumentException("epochs and batch_size must be at least 1, got " + epochs + " and " + batchSize);
    }
    if (!(learningRate > 0 && Double.isFinite(learningRate)) || !(maxMinutes > 0 && Double.isFinite(maxMinutes))) {
      throw new IllegalArgumentException("learning_rate and max_minutes must be finite and positive, got "
          + learningRate + " and " + maxMinutes);
    }
    if (!(heldOutFraction >= 0 && heldOutFraction <= 0.5)) {
      throw new IllegalArgumentException("held_out_fraction must be from 0 to 0.5, got " + heldOutFraction);
    }
  }
}
