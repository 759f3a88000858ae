package io.compactor.bundle.prunefilter;

import io.compactor.api.FilterPruneKeys;
import io.compactor.api.LayerResult;
import io.compactor.api.LayerTask;
import io.compactor.api.Settings;
import io.compactor.api.StepResult;
import io.compactor.api.testing.SimpleStepContext;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.runtime.Dataset;
import io.compactor.onnx.runtime.Evaluation;
import io.compactor.onnx.runtime.Latency;
import io.compactor.onnx.runtime.ModelSession;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Benchmark of filter pruning on digits-cnn: plain L2 pruning against pruning with the consumer re-fit, at
 * two ratios, printed as Markdown for {@code docs/benchmarks.md}. Not a test; run it as documented there.
 *
 * <pre>
 * FilterPruneBenchmark DIR [CALIBRATION_IMAGES [RELATIVE_DAMPING]]   DIR holds digits-cnn.onnx, calibration/, eval/
 * </pre>
 */
public final class FilterPruneBenchmark {
  private static final int BATCH = 64;
  private static final int LATENCY_WARMUP = 10;
  private static final int LATENCY_RUNS = 50;
  private static final Predicate<String> ALL = n -> true;
  /** The first convolution of each residual block: its filters feed only the block's second convolution. */
  private static final Predicate<String> BLOCK_INTERNAL = n -> n.contains("/a/a.0/");

  private FilterPruneBenchmark() {}

  /** One compressed copy of the model and what the step reported. */
  private record Run(String name, OnnxModel model, StepResult result, double seconds) {}

  public static void main(String[] args) {
    Path dir = Path.of(args.length > 0 ? args[0] : "../shared/models/digits-cnn");
    int samples = args.length > 1 ? Integer.parseInt(args[1]) : 256;
    FilterPruneOptions refit = args.length > 2
        ? FilterPruneOptions.DEFAULTS.withDamping(Double.parseDouble(args[2])) : FilterPruneOptions.DEFAULTS;
    OnnxModel fp32 = OnnxModel.load(dir.resolve("digits-cnn.onnx"));
    fp32.graph().normalizeConstants();
    Dataset calibration = Dataset.fromDirectory(dir.resolve("calibration"), fp32).limit(samples);
    Dataset eval = Dataset.fromDirectory(dir.resolve("eval"), fp32);
    System.out.printf(Locale.ROOT, "Java %s, %d cores, ONNX Runtime CPU%n%n", System.getProperty("java.version"),
        Runtime.getRuntime().availableProcessors());
    System.out.printf(Locale.ROOT, "### digits-cnn (%d calibration images, %d evaluation images, re-fit damping "
        + "%s)%n%n", calibration.size(), eval.size(), refit.relativeDamping());
    List<Run> runs = new ArrayList<>();
    for (double ratio : new double[] {0.3, 0.5}) {
      runs.add(run("L2 " + pct(ratio) + ", no re-fit", fp32, calibration, ratio, false,
          FilterPruneOptions.DEFAULTS.withoutRefit(), ALL));
      runs.add(run("L2 " + pct(ratio) + " + re-fit", fp32, calibration, ratio, false, refit, ALL));
      runs.add(run("L2 " + pct(ratio) + " + re-fit, ascend_optimized", fp32, calibration, ratio, true, refit, ALL));
    }
    for (double ratio : new double[] {0.3, 0.5}) {
      runs.add(run("block-internal " + pct(ratio) + ", no re-fit", fp32, calibration, ratio, false,
          FilterPruneOptions.DEFAULTS.withoutRefit(), BLOCK_INTERNAL));
      runs.add(run("block-internal " + pct(ratio) + " + re-fit", fp32, calibration, ratio, false, refit,
          BLOCK_INTERNAL));
    }
    System.out.println("| model | top-1 | Δ vs FP32 | params | MACs / image | file | latency, 64 images (median / min) | step time |");
    System.out.println("|---|---|---|---|---|---|---|---|");
    double base = top1(fp32, eval);
    ModelCost fp32Cost = ModelCost.of(fp32, calibration);
    System.out.printf(Locale.ROOT, "| FP32 | %.1f %% | | %,d | %,d | %,d B | %s | |%n", 100 * base,
        fp32Cost.parameters(), fp32Cost.macs(), fp32Cost.bytes(), latency(fp32, eval));
    for (Run r : runs) {
      double acc = top1(r.model(), eval);
      ModelCost c = ModelCost.of(r.model(), calibration);
      System.out.printf(Locale.ROOT, "| %s | %.1f %% | %+.1f | %,d | %,d | %,d B | %s | %.1f s |%n", r.name(),
          100 * acc, 100 * (acc - base), c.parameters(), c.macs(), c.bytes(), latency(r.model(), eval), r.seconds());
    }
    System.out.println();
    groupTable(runs.get(4));
    layerTable(runs.get(4));
  }

  private static String pct(double ratio) {
    return String.format(Locale.ROOT, "%.0f %%", 100 * ratio);
  }

  private static Run run(String name, OnnxModel fp32, Dataset calibration, double ratio, boolean ascend,
      FilterPruneOptions options, Predicate<String> planned) {
    OnnxModel model = fp32.copy(fp32.source() + " (" + name + ")");
    List<LayerTask> tasks = model.graph().topologicalOrder().stream()
        .filter(n -> ChannelOps.PRODUCERS.contains(n.opType()) && planned.test(n.name()))
        .map(n -> new LayerTask(n.name(), n.opType(), new Settings(Map.of(FilterPruneKeys.PRUNE_RATIO.name(), ratio,
            FilterPruneKeys.ASCEND_OPTIMIZED.name(), ascend))))
        .toList();
    try {
      Path work = Files.createTempDirectory("bench-filter");
      SimpleStepContext context = new SimpleStepContext(model, tasks, calibration, work, BATCH);
      long start = System.nanoTime();
      StepResult result = new FilterPruneMethod(options).apply(context);
      double seconds = (System.nanoTime() - start) / 1e9;
      Files.delete(work);
      return new Run(name, model, result, seconds);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static double top1(OnnxModel model, Dataset eval) {
    try (ModelSession s = ModelSession.open(model)) {
      return Evaluation.top1Accuracy(Evaluation.runAll(s, eval, 250).get("logits"), eval.labels().orElseThrow());
    }
  }

  /** @return "median / min" milliseconds of one 64-image batch on one thread (min is the least disturbed) */
  private static String latency(OnnxModel model, Dataset eval) {
    try (ModelSession s = ModelSession.open(model, 1)) {
      Latency l = Evaluation.latency(s, eval.batch(0, 64), LATENCY_WARMUP, LATENCY_RUNS);
      return String.format(Locale.ROOT, "%.2f / %.2f ms", l.medianMillis(), l.minMillis());
    }
  }

  @SuppressWarnings("unchecked")
  private static void groupTable(Run run) {
    System.out.println("Channel groups (" + run.name() + "):");
    System.out.println();
    System.out.println("| group | producers | consumers | channels | params removed | MACs removed | status |");
    System.out.println("|---|---|---|---|---|---|---|");
    for (Map<String, Object> g : (List<Map<String, Object>>) run.result().summary().get("group_report")) {
      String status = "pruned".equals(g.get("status")) ? "pruned" : "kept: " + g.get("reason");
      System.out.printf(Locale.ROOT, "| %s | %s | %s | %s → %s | %s | %s | %s |%n", g.get("group"),
          names(g.get("producers")), names(g.get("consumers")), g.get("channels_before"), g.get("channels_after"),
          g.getOrDefault("params_removed", ""), g.getOrDefault("macs_removed", ""), status);
    }
    System.out.println();
  }

  private static String names(Object list) {
    return ((List<?>) list).stream().map(n -> "`" + n + "`").reduce((a, b) -> a + ", " + b).orElse("");
  }

  private static void layerTable(Run run) {
    System.out.println("Consumers re-fitted (" + run.name() + "): relative output error against the FP32 layer "
        + "output on calibration data");
    System.out.println();
    System.out.println("| layer | before re-fit | after re-fit |");
    System.out.println("|---|---|---|");
    for (LayerResult l : run.result().layers()) {
      Object before = l.metrics().get("error_before_refit");
      Object after = l.metrics().get("error_after_refit");
      if (before instanceof Number b && after instanceof Number a) {
        System.out.printf(Locale.ROOT, "| `%s` | %.4f | %.4f |%n", l.node(), b.doubleValue(), a.doubleValue());
      }
    }
    System.out.println();
  }
}
