package io.compactor.onnx.runtime;

import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Accuracy, fidelity and latency of models in ONNX Runtime. Stateless. */
public final class Evaluation {
  private Evaluation() {}

  /**
   * @param logits scores, shape {@code [N, classes]} (further axes are flattened)
   * @param labels class ids, shape {@code [N]}, any integer type
   * @return the fraction of samples whose arg-max equals the label
   */
  public static double top1Accuracy(Tensor logits, Tensor labels) {
    int[] predicted = argmax(logits);
    long[] expected = labels.toLongs();
    requireSameCount(predicted.length, expected.length, "labels");
    int hits = 0;
    for (int i = 0; i < predicted.length; i++) {
      hits += predicted[i] == expected[i] ? 1 : 0;
    }
    return predicted.length == 0 ? 0 : (double) hits / predicted.length;
  }

  /**
   * @param reference the reference model's output, first axis = samples
   * @param candidate the compressed model's output of the same shape
   * @return per-sample cosine similarity, arg-max agreement and max absolute error
   */
  public static Fidelity fidelity(Tensor reference, Tensor candidate) {
    if (!Arrays.equals(reference.shape(), candidate.shape())) {
      throw new IllegalArgumentException("cannot compare outputs of shapes " + Arrays.toString(reference.shape())
          + " and " + Arrays.toString(candidate.shape()));
    }
    float[] a = reference.toFloats();
    float[] b = candidate.toFloats();
    int n = reference.rank() == 0 ? 1 : (int) reference.dim(0);
    int width = n == 0 ? 0 : a.length / n;
    double sum = 0;
    double worst = Double.POSITIVE_INFINITY;
    double maxAbs = 0;
    for (int s = 0; s < n; s++) {
      double dot = 0;
      double na = 0;
      double nb = 0;
      for (int j = s * width; j < (s + 1) * width; j++) {
        dot += (double) a[j] * b[j];
        na += (double) a[j] * a[j];
        nb += (double) b[j] * b[j];
        maxAbs = Math.max(maxAbs, Math.abs((double) a[j] - b[j]));
      }
      double cos = na == 0 && nb == 0 ? 1 : dot / Math.sqrt(na * nb);
      sum += cos;
      worst = Math.min(worst, cos);
    }
    int[] ra = argmax(reference);
    int[] rb = argmax(candidate);
    int agree = 0;
    for (int i = 0; i < ra.length; i++) {
      agree += ra[i] == rb[i] ? 1 : 0;
    }
    return new Fidelity(n == 0 ? 1 : sum / n, n == 0 ? 1 : worst, n == 0 ? 1 : (double) agree / n, maxAbs, n);
  }

  /**
   * Runs one batch {@code warmup} times unmeasured, then {@code runs} times measured.
   *
   * @return median and fastest wall time per run
   */
  public static Latency latency(ModelSession session, Map<String, Tensor> batch, int warmup, int runs) {
    return latencies(List.of(session), batch, warmup, runs).get(0);
  }

  /**
   * Times several models on one batch in turns, run by run (after {@code warmup} unmeasured runs of each), so
   * a change of load on the machine falls on all of them alike: compare their medians, not runs timed apart.
   *
   * @return median and fastest wall time per run, in the order of {@code sessions}
   * @since 1.3.0
   */
  public static List<Latency> latencies(List<ModelSession> sessions, Map<String, Tensor> batch, int warmup,
      int runs) {
    if (runs < 1) {
      throw new IllegalArgumentException("runs must be at least 1, got " + runs);
    }
    for (int i = 0; i < warmup; i++) {
      sessions.forEach(s -> s.run(batch));
    }
    double[][] millis = new double[sessions.size()][runs];
    for (int i = 0; i < runs; i++) {
      for (int m = 0; m < sessions.size(); m++) {
        long start = System.nanoTime();
        sessions.get(m).run(batch);
        millis[m][i] = (System.nanoTime() - start) / 1e6;
      }
    }
    int batchSize = batch.values().stream().findFirst().map(t -> t.rank() == 0 ? 1 : (int) t.dim(0)).orElse(1);
    List<Latency> out = new ArrayList<>();
    for (double[] m : millis) {
      Arrays.sort(m);
      double median = runs % 2 == 1 ? m[runs / 2] : (m[runs / 2 - 1] + m[runs / 2]) / 2;
      out.add(new Latency(median, m[0], runs, batchSize));
    }
    return out;
  }

  /**
   * Fidelity of a rewritten model to the model it came from, on their first graph output: what a
   * compression step reports about its own result.
   *
   * @param reference the model before the step
   * @param candidate the model after the step, with the same inputs and first output
   * @param data the samples to run, e.g. the calibration data
   * @param batchSize samples per run
   * @throws io.compactor.onnx.ModelException when either model cannot be run on the data
   */
  public static Fidelity outputFidelity(OnnxModel reference, OnnxModel candidate, Dataset data, int batchSize) {
    String output = candidate.graph().outputs().get(0).name();
    try (ModelSession before = ModelSession.open(reference); ModelSession after = ModelSession.open(candidate)) {
      return fidelity(runAll(before, data, batchSize).get(output), runAll(after, data, batchSize).get(output));
    }
  }

  /**
   * Runs the whole data set through a session in batches.
   *
   * @return every output, concatenated along the sample axis
   */
  public static Map<String, Tensor> runAll(ModelSession session, Dataset data, int batchSize) {
    Map<String, List<Tensor>> parts = new LinkedHashMap<>();
    for (int[] r : data.batchRanges(batchSize)) {
      session.run(data.batch(r[0], r[1]))
          .forEach((k, v) -> parts.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
    }
    Map<String, Tensor> out = new LinkedHashMap<>();
    parts.forEach((k, v) -> out.put(k, Tensor.concat(v)));
    return out;
  }

  private static int[] argmax(Tensor scores) {
    float[] v = scores.toFloats();
    int n = scores.rank() == 0 ? 1 : (int) scores.dim(0);
    int width = n == 0 ? 0 : v.length / n;
    int[] out = new int[n];
    for (int s = 0; s < n; s++) {
      int best = 0;
      for (int j = 1; j < width; j++) {
        if (v[s * width + j] > v[s * width + best]) {
          best = j;
        }
      }
      out[s] = best;
    }
    return out;
  }

  private static void requireSameCount(int a, int b, String what) {
    if (a != b) {
      throw new IllegalArgumentException(what + " count " + b + " differs from the " + a + " samples scored");
    }
  }
}
