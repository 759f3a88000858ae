package io.compactor.bundle.retraindistill.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Collection;
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
 * Token masks: where the model has a graph input {@value #TOKEN_MASK} (the name every Hugging Face transformer
 * export uses) of shape {@code [N, L]}, an output whose first two axes are {@code [N, L]} is compared on the
 * tokens the mask marks only. Padding tokens carry no meaning (pooling and attention skip them), and with
 * sentences padded to the longest of a batch they would otherwise weigh as much as the text.
 * The loss is the mean of the outputs' terms (plus the cross-entropy). Fidelity is the mean cosine similarity of
 * each sample's output (flattened) to the teacher's, averaged over outputs: 1 is identical direction.
 * <p>Pooled term (weight {@code pooledWeight}, 0 = off): a masked output of rank 3, {@code [N, L, hidden]}, also
 * takes the cosine distance of its mean over the marked tokens to the teacher's ({@link #pooledDistance}). That
 * mean is the sentence embedding that mean-pooling models (sentence-transformers) serve: the per-token error
 * counts every direction of error alike, while the sentence embedding only sees the part that survives averaging
 * over the tokens, and only its direction.
 */
final class DistillObjective {
  /** The graph input whose 1s mark the real tokens of a sequence. */
  static final String TOKEN_MASK = "attention_mask";
  private final float temperature;
  private final float pooledWeight;

  DistillObjective(double temperature, double pooledWeight) {
    this.temperature = (float) temperature;
    this.pooledWeight = (float) pooledWeight;
  }

  /** @return whether an output of this shape is treated as logits */
  static boolean isLogits(NDArray teacherOutput) {
    return teacherOutput.getShape().dimension() == 2 && teacherOutput.getShape().get(1) > 1;
  }

  /**
   * @param student the student's outputs by name
   * @param teacher the teacher's, same names and shapes
   * @param labels class ids of the batch, if the data has them
   * @param tokens the batch's token mask ({@link #tokenMask}), if the model has one
   * @return the scalar loss
   */
  NDArray loss(Map<String, NDArray> student, Map<String, NDArray> teacher, Optional<NDArray> labels,
      Optional<NDArray> tokens) {
    NDArray total = null;
    boolean labelled = false;
    for (Map.Entry<String, NDArray> e : teacher.entrySet()) {
      NDArray s = student.get(e.getKey());
      NDArray t = e.getValue();
      NDArray term;
      if (isLogits(t)) {
        term = DistillationLoss.klDivergence(s, t, temperature);
      } else {
        Optional<NDArray> w = tokens.flatMap(m -> weights(m, t));
        if (w.isPresent()) {
          NDArray tt = t.stopGradient();
          term = s.sub(tt).square().mul(w.get()).sum().div(tt.square().mul(w.get()).sum().add(1e-12f));
          if (pooledWeight > 0 && t.getShape().dimension() == 3) {
            term = term.add(pooledDistance(s, tt, w.get()).mul(pooledWeight));
          }
        } else {
          term = DistillationLoss.meanSquaredError(s, t).div(t.square().mean().add(1e-12f));
        }
      }
      total = total == null ? term : total.add(term);
      if (labels.isPresent() && !labelled && isLogits(t)) {
        labelled = true;
        total = total.add(DistillationLoss.crossEntropy(s, labels.get()).mul(teacher.size()));
      }
    }
    return total.div(teacher.size());
  }

  /**
   * @param student token outputs {@code [N, L, hidden]}
   * @param teacher the teacher's, same shape
   * @param weights the token mask as {@code [N, L, 1]}
   * @return {@code mean_n (1 − cos(pool(student_n), pool(teacher_n)))}, pool = the mean over the marked tokens
   */
  static NDArray pooledDistance(NDArray student, NDArray teacher, NDArray weights) {
    NDArray count = weights.sum(new int[] {1}).add(1e-12f);
    NDArray s = student.mul(weights).sum(new int[] {1}).div(count);
    NDArray t = teacher.stopGradient().mul(weights).sum(new int[] {1}).div(count);
    return DistillationLoss.cosineDistance(s, t);
  }

  /**
   * The intermediate term: each named value (a quantized or sparse layer's output) compared to the teacher's by
   * mean squared error relative to the teacher's mean square (token-masked as the outputs are), averaged over the
   * values. It tells every layer what its output should be, which the graph outputs alone say only through the
   * layers after it.
   *
   * @param hints value names present in both maps
   * @return the scalar term
   */
  NDArray hintLoss(Map<String, NDArray> student, Map<String, NDArray> teacher, Collection<String> hints,
      Optional<NDArray> tokens) {
    NDArray total = null;
    for (String h : hints) {
      NDArray t = teacher.get(h).stopGradient();
      NDArray d = student.get(h).sub(t).square();
      NDArray ts = t.square();
      Optional<NDArray> w = tokens.flatMap(m -> weights(m, t));
      if (w.isPresent()) {
        d = d.mul(w.get());
        ts = ts.mul(w.get());
      }
      NDArray term = d.sum().div(ts.sum().add(1e-12f));
      total = total == null ? term : total.add(term);
    }
    return total.div(hints.size());
  }

  /**
   * @param feeds a batch's graph inputs
   * @return the token mask as floats {@code [N, L]}, if the batch has a {@value #TOKEN_MASK} input of that rank
   */
  static Optional<NDArray> tokenMask(Map<String, NDArray> feeds) {
    NDArray m = feeds.get(TOKEN_MASK);
    if (m == null || m.getShape().dimension() != 2) {
      return Optional.empty();
    }
    return Optional.of(m.toType(DataType.FLOAT32, false));
  }

  /** @return the mask shaped to broadcast against {@code output}, if the output's first two axes are the mask's */
  private static Optional<NDArray> weights(NDArray mask, NDArray output) {
    Shape o = output.getShape();
    if (o.dimension() < 2 || o.get(0) != mask.getShape().get(0) || o.get(1) != mask.getShape().get(1)) {
      return Optional.empty();
    }
    long[] shape = new long[o.dimension()];
    java.util.Arrays.fill(shape, 1);
    shape[0] = o.get(0);
    shape[1] = o.get(1);
    return Optional.of(mask.reshape(shape));
  }

  /**
   * @param tokens the batch's token mask, if any: masked tokens are zeroed in both before comparing
   * @return the sum over samples of the per-sample fidelity (mean over outputs), to be averaged by the caller
   */
  static double fidelitySum(Map<String, NDArray> student, Map<String, NDArray> teacher, Optional<NDArray> tokens) {
    double sum = 0;
    long n = 0;
    for (Map.Entry<String, NDArray> e : teacher.entrySet()) {
      NDArray t = e.getValue();
      NDArray st = student.get(e.getKey());
      Optional<NDArray> w = tokens.flatMap(m -> weights(m, e.getValue()));
      if (w.isPresent()) {
        t = t.mul(w.get());
        st = st.mul(w.get());
      }
      n = t.getShape().get(0);
      NDArray s = st.reshape(n, -1);
      NDArray f = t.reshape(n, -1);
      double distance = DistillationLoss.cosineDistance(s, f).getFloat();
      sum += (1 - distance) * n;
    }
    return sum / teacher.size();
  }
}
