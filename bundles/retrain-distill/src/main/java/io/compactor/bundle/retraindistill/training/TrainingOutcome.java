package io.compactor.bundle.retraindistill.training;

import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.tensor.Tensor;
import java.util.Map;

/**
 * What a training produced and how it went.
 *
 * @param model the training form with the best weights and learned scales (the masks and grids unchanged)
 * @param trained the trained initializers by name (weights, biases, learned activation scales)
 * @param before held-out fidelity (and loss) of the model as it came
 * @param after held-out fidelity (and loss) of the returned model
 * @param epochs epochs run
 * @param bestEpoch the epoch whose weights are returned, 0 when none beat the model as it came
 * @param stop why training ended
 * @param seconds wall-clock time of the training, waiting for the lock excluded
 * @param lockWaitSeconds time spent waiting for the JVM's one gradient collector
 * @param samples training and held-out sample counts
 */
public record TrainingOutcome(OnnxModel model, Map<String, Tensor> trained, Evaluation before, Evaluation after,
    int epochs, int bestEpoch, Stop stop, double seconds, double lockWaitSeconds, int[] samples) {
  /** Why training ended. */
  public enum Stop {
    /** every configured epoch ran */
    EPOCHS,
    /** the held-out loss stopped improving for {@code patience} epochs */
    EARLY_STOPPING,
    /** {@code max_minutes} ran out */
    TIME_LIMIT
  }

  /**
   * A held-out evaluation against the teacher.
   *
   * @param fidelity mean cosine similarity of the student's outputs to the teacher's, per sample
   * @param loss the distillation loss
   */
  public record Evaluation(double fidelity, double loss) {}
}
