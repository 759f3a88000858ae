package io.compactor.bundle.prunefilter;

import io.compactor.api.FilterPruneKeys;
import io.compactor.api.LayerTask;
import io.compactor.api.Settings;
import io.compactor.api.StepResult;
import io.compactor.api.testing.SimpleStepContext;
import io.compactor.benchmarks.MiniLm;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.runtime.Dataset;
import io.compactor.onnx.runtime.Evaluation;
import io.compactor.onnx.runtime.Latency;
import io.compactor.onnx.runtime.ModelSession;
import io.compactor.onnx.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Benchmark of filter pruning on the feed-forward blocks of all-MiniLM-L6-v2 (every MatMul offered; only the
 * six FFN expansions can be pruned, the rest stop at Reshape or at the residual stream): embedding cosine to
 * FP32, size and latency, plain L2 against the re-fit, on real English sentences (even ones calibrate, odd
 * ones are held out). Not a test.
 *
 * <pre>
 * MiniLmFeedForwardBenchmark [RATIO [CALIBRATION_SEQUENCES]]     defaults 0.3 and 128
 * </pre>
 */
public final class MiniLmFeedForwardBenchmark {
  private static final int HELD_OUT = 64;
  private static final int BATCH = 16;

  private MiniLmFeedForwardBenchmark() {}

  public static void main(String[] args) throws IOException {
    double ratio = args.length > 0 ? Double.parseDouble(args[0]) : 0.3;
    int samples = args.length > 1 ? Integer.parseInt(args[1]) : 128;
    OnnxModel fp32 = MiniLm.load(MiniLm.FP32);
    Dataset calibration = sentences("calibration", 0, samples);
    Dataset heldOut = sentences("held-out", 1, HELD_OUT);
    System.out.printf(Locale.ROOT, "### all-MiniLM-L6-v2 feed-forward layers, prune_ratio %.1f (%d calibration and "
        + "%d held-out real English sentences)%n%n", ratio, calibration.size(), heldOut.size());
    float[][] reference = embeddings(fp32, heldOut);
    System.out.println("| model | mean cosine to FP32 | worst cosine | params | file | latency, 16 sequences "
        + "(median / min) | step time |");
    System.out.println("|---|---|---|---|---|---|---|");
    print("FP32", fp32, reference, heldOut, Double.NaN);
    StepResult last = null;
    for (FilterPruneOptions options : List.of(FilterPruneOptions.DEFAULTS.withoutRefit(), FilterPruneOptions.DEFAULTS)) {
      OnnxModel model = fp32.copy();
      List<LayerTask> tasks = model.graph().topologicalOrder().stream().filter(n -> n.opType().equals("MatMul"))
          .map(n -> new LayerTask(n.name(), n.opType(), new Settings(Map.of(FilterPruneKeys.PRUNE_RATIO.name(), ratio,
              FilterPruneKeys.ASCEND_OPTIMIZED.name(), true)))).toList();
      Path work = Files.createTempDirectory("bench-filter-minilm");
      long start = System.nanoTime();
      last = new FilterPruneMethod(options).apply(new SimpleStepContext(model, tasks, calibration, work, BATCH));
      double seconds = (System.nanoTime() - start) / 1e9;
      Files.delete(work);
      print(options.refit() ? "L2 + re-fit" : "L2, no re-fit", model, reference, heldOut, seconds);
    }
    System.out.println();
    Map<String, Object> s = last.summary();
    System.out.printf(Locale.ROOT, "Groups: %s pruned of %s; channels %s → %s; MACs per sequence %,d → %,d; mean "
        + "consumer error %.4f before re-fit, %.4f after.%n%n", s.get("groups_pruned"), s.get("groups"),
        s.get("channels_before"), s.get("channels_after"), (Long) s.get("macs_before"), (Long) s.get("macs_after"),
        (Double) s.get("mean_error_before_refit"), (Double) s.get("mean_error_after_refit"));
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> groups = (List<Map<String, Object>>) s.get("group_report");
    groups.stream().filter(g -> !"pruned".equals(g.get("status"))).map(g -> String.valueOf(g.get("reason")))
        .distinct().limit(5).forEach(r -> System.out.println("- kept: " + r));
  }

  private static void print(String name, OnnxModel model, float[][] reference, Dataset heldOut, double seconds) {
    float[][] e = embeddings(model, heldOut);
    MiniLm.Fidelity f = MiniLm.Fidelity.of(reference, e);
    ModelCost cost = ModelCost.of(model, heldOut);
    String latency;
    try (ModelSession s = ModelSession.open(model, 1)) {
      Latency l = Evaluation.latency(s, heldOut.batch(0, BATCH), 3, 20);
      latency = String.format(Locale.ROOT, "%.1f / %.1f ms", l.medianMillis(), l.minMillis());
    }
    System.out.printf(Locale.ROOT, "| %s | %.4f | %.4f | %,d | %,d B | %s | %s |%n", name, f.mean(), f.worst(),
        cost.parameters(), cost.bytes(), latency, Double.isNaN(seconds) ? "" : String.format(Locale.ROOT, "%.1f s",
            seconds));
  }

  /** @return every other sample sentence from {@code first} on, at most {@code n}, tokenized for MiniLM */
  private static Dataset sentences(String name, int first, int n) {
    return MiniLm.tokenize(name, MiniLm.everyOther(first, n));
  }

  /**
   * @return per sequence the mean of {@code last_hidden_state} over all its positions, padding included,
   *     L2-normalized: the pooling this benchmark's published table was measured with (MiniLm.embeddings pools
   *     over the attention mask, as sentence-transformers does)
   */
  private static float[][] embeddings(OnnxModel model, Dataset data) {
    Tensor hidden;
    try (ModelSession s = ModelSession.open(model)) {
      hidden = Evaluation.runAll(s, data, BATCH).get("last_hidden_state");
    }
    int n = (int) hidden.dim(0);
    int len = (int) hidden.dim(1);
    int dim = (int) hidden.dim(2);
    float[] h = hidden.floats();
    float[][] out = new float[n][dim];
    for (int i = 0; i < n; i++) {
      double norm = 0;
      for (int d = 0; d < dim; d++) {
        double sum = 0;
        for (int t = 0; t < len; t++) {
          sum += h[(i * len + t) * dim + d];
        }
        out[i][d] = (float) (sum / len);
        norm += out[i][d] * (double) out[i][d];
      }
      for (int d = 0; d < dim; d++) {
        out[i][d] /= (float) Math.sqrt(norm);
      }
    }
    return out;
  }
}
