package io.compactor.api;

/**
 * What retraining achieved, for {@code report.json}'s {@code retraining} section and the metrics.
 *
 * @param before fidelity to the original model on the held-out slice before the first epoch (mean cosine
 *     of the first output, or top-1 agreement for logits: the trainer says which in the summary)
 * @param after the same after the kept epoch
 * @param epochs epochs run
 * @param seconds training time, without waiting for the training lock
 * @param lockWaitSeconds time spent waiting for another job's retraining to release the JVM's one gradient
 *     collector
 * @param finalLoss the training loss of the last epoch
 * @since 1.3.0
 */
public record RetrainOutcome(double before, double after, int epochs, double seconds, double lockWaitSeconds,
    double finalLoss) {
  public RetrainOutcome {
    if (epochs < 0 || seconds < 0 || lockWaitSeconds < 0) {
      throw new IllegalArgumentException("epochs, seconds and lockWaitSeconds must not be negative");
    }
  }
}
