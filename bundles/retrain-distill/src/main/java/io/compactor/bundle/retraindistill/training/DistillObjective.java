package io.compactor.bundle.retraindistill.training;

import ai.djl.ndarray.NDArray;
import java.util.Map;
import java.util.Optional;

/**
 * The loss a student minimizes and the fidelity it is judged by, over every graph output:
 * <ul>
 *   <li>an output of shape {@code [N, classes]} is logits: KL divergence to the teacher at the temperature
 *       ({@link DistillationLoss#klDivergence}), plus cross-entropy with the labels on the first such output
 *       where the data has them;
 *   <li>any other output (embeddings, hidden states, feature maps) takes the mean squared error relative to the
 *       teacher's mean square: free of the output's scale, and unlike cosine it also holds the magnitude that a
 *       later layer or a downstream threshold may depend on.
 * </ul>
 * The loss is the mean of the outputs' terms (plus the cross-entropy). Fidelity is the mean cosine similarity of
 * each sample's output (flattened) to the teacher's, averaged over outputs: 1 is identical direction.
 */
final class DistillObjective {
  private final float temperature;

  DistillObjective(double temperature) {
    this.temperature = (float) temperature;
  }

  /** @return whether an output of this shape is treated as logits */
  static boolean isLogits(NDArray teacherOutput) {
    return teacherOutput.getShape().dimension() == 2 && teacherOutput.getShape().get(1) > 1;
  }

  /**
   * @param student the student's outputs by name
   * @param teacher the teacher's, same names and shapes
   * @param labels class ids of the batch, if the data has them
   * @return the scalar loss
   */
  NDArray loss(Map<String, NDArray> student, Map<String, NDArray> teacher, Optional<NDArray> labels) {
    NDArray total = null;
    boolean labelled = false;
    for (Map.Entry<String, NDArray> e : teacher.entrySet()) {
      NDArray s = student.get(e.getKey());
      NDArray t = e.getValue();
      NDArray term;
      if (isLogits(t)) {
        term = DistillationLoss.klDivergence(s, t, temperature);
      } else {
        term = DistillationLoss.meanSquaredError(s, t).div(t.square().mean().add(1e-12f));
      }
      total = total == null ? term : total.add(term);
      if (labels.isPresent() && !labelled && isLogits(t)) {
        labelled = true;
        total = total.add(DistillationLoss.crossEntropy(s, labels.get()).mul(teacher.size()));
      }
    }
    return total.div(teacher.size());
  }

  /** @return the sum over samples of the per-sample fidelity (mean over outputs), to be averaged by the caller */
  static double fidelitySum(Map<String, NDArray> student, Map<String, NDArray> teacher) {
    double sum = 0;
    long n = 0;
    for (Map.Entry<String, NDArray> e : teacher.entrySet()) {
      NDArray t = e.getValue();
      n = t.getShape().get(0);
      NDArray s = student.get(e.getKey()).reshape(n, -1);
      NDArray f = t.reshape(n, -1);
      double distance = DistillationLoss.cosineDistance(s, f).getFloat();
      sum += (1 - distance) * n;
    }
    return sum / teacher.size();
  }
}
