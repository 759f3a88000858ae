package io.compactor.bundle.retraindistill.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.util.Objects;

/**
 * Losses of distillation from the original FP32 model: KL divergence with temperature on logits (Hinton et al.,
 * scaled by T² so gradients keep their size across temperatures), mean squared error or cosine distance on
 * embeddings and other outputs, and cross-entropy with labels where the data has them. Each returns a scalar
 * averaged over the batch (the first axis); teachers are taken without gradient.
 */
public final class DistillationLoss {
  private DistillationLoss() {}

  /**
   * @param student logits {@code [N, classes]} (classes on the last axis)
   * @param teacher the original model's logits, same shape
   * @param temperature softening, > 0
   * @return {@code T² · mean_n KL(softmax(teacher/T) ‖ softmax(student/T))}
   */
  public static NDArray klDivergence(NDArray student, NDArray teacher, float temperature) {
    sameShape(student, teacher);
    if (!(temperature > 0)) {
      throw new IllegalArgumentException("temperature must be positive, got " + temperature);
    }
    NDArray t = teacher.stopGradient().div(temperature);
    NDArray logP = t.logSoftmax(-1);
    NDArray logQ = student.div(temperature).logSoftmax(-1);
    NDArray kl = logP.exp().mul(logP.sub(logQ)).sum(new int[] {-1});
    return kl.mean().mul(temperature * temperature);
  }

  /** @return the mean squared difference, over every element */
  public static NDArray meanSquaredError(NDArray student, NDArray teacher) {
    sameShape(student, teacher);
    return student.sub(teacher.stopGradient()).square().mean();
  }

  /** @return {@code mean_n (1 − cos(student_n, teacher_n))} over the last axis, 0 when every row agrees in direction */
  public static NDArray cosineDistance(NDArray student, NDArray teacher) {
    sameShape(student, teacher);
    NDArray t = teacher.stopGradient();
    NDArray dot = student.mul(t).sum(new int[] {-1});
    NDArray norms = student.square().sum(new int[] {-1}).sqrt().mul(t.square().sum(new int[] {-1}).sqrt()).add(1e-12f);
    return dot.div(norms).neg().add(1f).mean();
  }

  /**
   * @param logits {@code [N, classes]}
   * @param labels {@code [N]} class indices
   * @return {@code −mean_n log softmax(logits_n)[label_n]}
   */
  public static NDArray crossEntropy(NDArray logits, NDArray labels) {
    Objects.requireNonNull(labels, "labels");
    long n = logits.getShape().get(0);
    if (labels.size() != n) {
      throw new IllegalArgumentException("labels: expected " + n + " (one per sample), got " + labels.size());
    }
    NDArray index = labels.toType(DataType.INT64, false).reshape(n, 1);
    return logits.logSoftmax(-1).gather(index, 1).neg().mean();
  }

  private static void sameShape(NDArray student, NDArray teacher) {
    Objects.requireNonNull(student, "student");
    Objects.requireNonNull(teacher, "teacher");
    if (!student.getShape().equals(teacher.getShape())) {
      throw new IllegalArgumentException("student output " + student.getShape() + " and teacher output "
          + teacher.getShape() + " differ in shape");
    }
  }
}
