package io.compactor.bundle.retraindistill.training;

/** What a training reports and asks while it runs. */
public interface TrainingListener {
  /** Reports nothing and is never cancelled. */
  TrainingListener NONE = new TrainingListener() {};

  /**
   * After each epoch's held-out evaluation.
   *
   * @param epoch 1-based
   * @param epochs the configured number of epochs
   * @param loss the mean training loss of the epoch
   * @param heldOutFidelity the held-out fidelity after it (see {@link DistillTrainer})
   */
  default void epoch(int epoch, int epochs, double loss, double heldOutFidelity) {}

  /** @return whether to stop; asked between batches */
  default boolean cancelled() {
    return false;
  }
}
