package io.compactor.benchmarks;

import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.runtime.ModelSession;
import io.compactor.onnx.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Latency of several models measured together: every round runs every model once over the same feeds, so
 * drift on a shared machine hits them alike; report medians and ranges, never one run.
 */
public final class InterleavedLatency {
  private InterleavedLatency() {}

  /**
   * Runs every feed through every model once per round, {@code rounds} rounds after one warm-up.
   *
   * @return {@code [model][round]}: milliseconds to run all feeds
   */
  public static double[][] millis(List<OnnxModel> models, List<Map<String, Tensor>> feeds, int threads, int rounds) {
    List<ModelSession> sessions = new ArrayList<>();
    try {
      for (OnnxModel m : models) {
        sessions.add(ModelSession.open(m, threads));
      }
      sessions.forEach(s -> feeds.forEach(s::run));   // warm-up
      double[][] millis = new double[models.size()][rounds];
      for (int r = 0; r < rounds; r++) {
        for (int m = 0; m < sessions.size(); m++) {
          long start = System.nanoTime();
          feeds.forEach(sessions.get(m)::run);
          millis[m][r] = (System.nanoTime() - start) / 1e6;
        }
      }
      return millis;
    } finally {
      sessions.forEach(ModelSession::close);
    }
  }

  /** @return the median of {@code values} (mean of the middle two for an even count) */
  public static double median(double[] values) {
    double[] t = values.clone();
    Arrays.sort(t);
    return t.length % 2 == 1 ? t[t.length / 2] : (t[t.length / 2 - 1] + t[t.length / 2]) / 2;
  }
}
