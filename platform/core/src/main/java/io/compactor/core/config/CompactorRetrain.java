package io.compactor.core.config;

import java.util.Objects;

/**
 * Compactor extension {@code compactor_retrain} (not AMCT): whole-model retraining after the layer-wise
 * steps, distilled from the original model. The planner turns it into a {@code RetrainPlan} and the chain
 * into a retraining step (absent block: layer-wise recovery only).
 *
 * @param epochs passes over the training data, at least 1
 * @param learningRate the optimizer's step size, finite and positive
 * @param batchSize samples per step, at least 1
 * @param maxMinutes wall-time budget of the retraining, finite and positive
 * @param seed seeds shuffling and the held-out split
 * @param heldOutFraction share of the training data held out to drive early stopping, from 0 to 0.5
 * @param train which float weights are trained
 * @param onUnsupported what a job does when an operator cannot be trained
 */
public record CompactorRetrain(int epochs, double learningRate, int batchSize, double maxMinutes, long seed,
    double heldOutFraction, Train train, OnUnsupported onUnsupported) {
  /** The largest {@code held_out_fraction}: at least half of the data stays for training. */
  public static final double MAX_HELD_OUT_FRACTION = 0.5;

  /** {@code train}: which float weights and biases retraining updates. */
  public enum Train {
    /** Every float weight and bias of the model. */
    ALL,
    /** Only the layers a compression step changed. */
    COMPRESSED
  }

  /** {@code on_unsupported}: what happens when the model has an operator retraining cannot run. */
  public enum OnUnsupported {
    /** The job fails and names the operator. */
    FAIL,
    /** The job runs without retraining and says so. */
    SKIP
  }

  public CompactorRetrain {
    Objects.requireNonNull(train, "train");
    Objects.requireNonNull(onUnsupported, "onUnsupported");
    if (epochs < 1 || batchSize < 1) {
      throw new IllegalArgumentException("epochs and batch_size must be at least 1, got " + epochs + " and "
          + batchSize);
    }
    if (!(Double.isFinite(learningRate) && learningRate > 0) || !(Double.isFinite(maxMinutes) && maxMinutes > 0)) {
      throw new IllegalArgumentException("learning_rate and max_minutes must be finite and positive, got "
          + learningRate + " and " + maxMinutes);
    }
    if (!(heldOutFraction >= 0 && heldOutFraction <= MAX_HELD_OUT_FRACTION)) {
      throw new IllegalArgumentException("held_out_fraction must be from 0 to 0.5, got " + heldOutFraction);
    }
  }
}
