package io.compactor.bundle.quantint8;

import io.compactor.api.CompressionMethod;
import io.compactor.api.LayerResult;
import io.compactor.api.LayerTask;
import io.compactor.api.Settings;
import io.compactor.api.StepResult;
import io.compactor.api.testing.SimpleStepContext;
import io.compactor.benchmarks.InterleavedLatency;
import io.compactor.benchmarks.Machine;
import io.compactor.benchmarks.MiniLm;
import io.compactor.bundle.prune2of4.TwoOfFourMethod;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.runtime.Dataset;
import io.compactor.onnx.runtime.Evaluation;
import io.compactor.onnx.runtime.ModelSession;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Benchmarks of the INT8 step, printed as Markdown for {@code docs/benchmarks.md}; every variant is measured
 * in the same run, latencies interleaved round by round. Not a test; run it as documented there.
 *
 * <pre>
 * Int8Benchmark digits DIR       digits-cnn: top-1 of FP32, INT8, 2:4, 2:4 + INT8 on DIR/eval
 * Int8Benchmark minilm           all-MiniLM-L6-v2: embedding cosine to FP32 and latency, ours vs ONNX Runtime's -q
 * Int8Benchmark all DIR          both
 * </pre>
 */
public final class Int8Benchmark {
  static final int ROUNDS = 7;
  static final int THREADS = 2;
  /** Key of {@code extra} (not a setting): true also quantizes the embedding tables (Gather on a constant). */
  static final String TABLES = "bench.tables";

  private Int8Benchmark() {}

  public static void main(String[] args) throws IOException {
    String what = args.length > 0 ? args[0] : "all";
    System.out.printf(Locale.ROOT, "%s, ONNX Runtime CPU, %d intra-op threads%n%n", Machine.describe(), THREADS);
    if (what.equals("digits") || what.equals("all")) {
      digits(Path.of(args.length > 1 ? args[1] : "../shared/models/digits-cnn"));
    }
    if (what.equals("minilm") || what.equals("all")) {
      miniLm();
    }
  }

  /** One compressed variant: the fake-quant (or sparse) model, the deploy model and the step's report. */
  record Run(String name, OnnxModel model, OnnxModel deploy, List<StepResult> results, double seconds) {}

  static Run int8(String name, OnnxModel input, Dataset calibration, Map<String, Object> extra, QuantOptions options,
      int batch) {
    OnnxModel model = input.copy(input.source() + " (" + name + ")");
    long start = System.nanoTime();
    StepResult r = apply(new QuantInt8Method(options), model, calibration, extra, batch);
    OnnxModel deploy = new QuantInt8Method(options).export(r.form().orElseThrow(), new SimpleStepContext(model,
        List.of(), calibration, Path.of(System.getProperty("java.io.tmpdir")), batch)).orElseThrow();
    return new Run(name, model, deploy, List.of(r), (System.nanoTime() - start) / 1e9);
  }

  static StepResult apply(CompressionMethod method, OnnxModel model, Dataset calibration, Map<String, Object> extra,
      int batch) {
    // embedding tables are opt-in, as in the planner (MiniLmEmbeddingBenchmark opts in)
    boolean tables = Boolean.TRUE.equals(extra.get(TABLES));
    Map<String, Object> settings = new HashMap<>(extra);
    settings.remove(TABLES);
    List<LayerTask> tasks = model.graph().topologicalOrder().stream()
        .filter(n -> method.opTypes().contains(n.opType()) && method.eligibility(model.graph(), n).eligible())
        .filter(n -> tables || !n.opType().equals("Gather"))
        .map(n -> {
          Map<String, Object> s = new HashMap<>();
          if (method instanceof QuantInt8Method) {
            s.putAll(Map.of("weight_algo", "arq_retrain", "dst_type", "INT8", "channel_wise",
                n.opType().startsWith("Conv") || n.opType().equals("Gather"), "batch_num", 1));
          } else {
            s.putAll(Map.of("n_out_of_m_type", "M4N2", "update_freq", 1));
          }
          s.putAll(settings);
          return new LayerTask(n.name(), n.opType(), new Settings(s));
        }).toList();
    try {
      Path work = Files.createTempDirectory("bench-int8");
      StepResult r = method.apply(new SimpleStepContext(model, tasks, calibration, work, batch));
      Files.delete(work);
      return r;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void digits(Path dir) {
    OnnxModel fp32 = OnnxModel.load(dir.resolve("digits-cnn.onnx"));
    fp32.graph().normalizeConstants();
    Dataset calibration = Dataset.fromDirectory(dir.resolve("calibration"), fp32).limit(256);
    Dataset eval = Dataset.fromDirectory(dir.resolve("eval"), fp32);
    System.out.printf(Locale.ROOT, "### digits-cnn (%d calibration images, %d evaluation images)%n%n",
        calibration.size(), eval.size());
    List<Run> runs = new ArrayList<>();
    runs.add(int8("INT8, nearest rounding (no retraining)", fp32, calibration, Map.of(),
        QuantOptions.DEFAULTS.withRetrain(false), 64));
    runs.add(int8("INT8 (default: searched ranges, GPTQ retraining)", fp32, calibration, Map.of(), QuantOptions.DEFAULTS,
        64));
    OnnxModel sparse = fp32.copy(fp32.source() + " (2:4)");
    long start = System.nanoTime();
    StepResult twoOfFour = apply(new TwoOfFourMethod(), sparse, calibration, Map.of(), 64);
    double sparseSeconds = (System.nanoTime() - start) / 1e9;
    Run both = int8("2:4 + INT8", sparse, calibration, Map.of(), QuantOptions.DEFAULTS, 64);
    System.out.println("| model | top-1 | Δ vs FP32 | step time | deploy file |");
    System.out.println("|---|---|---|---|---|");
    double base = top1(fp32, eval);
    System.out.printf(Locale.ROOT, "| FP32 | %.1f %% | | | %.0f kB |%n", 100 * base, fp32.toBytes().length / 1e3);
    for (Run r : runs) {
      double acc = top1(r.deploy(), eval);
      System.out.printf(Locale.ROOT, "| %s (deploy QDQ model) | %.1f %% | %+.1f | %.1f s | %.0f kB |%n", r.name(),
          100 * acc, 100 * (acc - base), r.seconds(), r.deploy().toBytes().length / 1e3);
    }
    double sparseAcc = top1(sparse, eval);
    System.out.printf(Locale.ROOT, "| 2:4 (reconstructed, update_freq 1) | %.1f %% | %+.1f | %.1f s | |%n",
        100 * sparseAcc, 100 * (sparseAcc - base), sparseSeconds);
    double bothAcc = top1(both.deploy(), eval);
    System.out.printf(Locale.ROOT, "| 2:4 + INT8 (deploy QDQ model) | %.1f %% | %+.1f | %.1f s (INT8 step) | %.0f kB |%n",
        100 * bothAcc, 100 * (bothAcc - base), both.seconds(), both.deploy().toBytes().length / 1e3);
    System.out.println();
    System.out.printf(Locale.ROOT, "2:4 + INT8: the 2:4 checker on the INT8 deploy weights: %s; 2:4 step summary "
        + "sparsity %.3f%n%n", twoOfFourHolds(both, twoOfFour), twoOfFour.summary().get("sparsity"));
    latency("digits-cnn, batch of 250 images", List.of(fp32, runs.get(1).deploy(), both.deploy()),
        List.of("FP32", "INT8 deploy", "2:4 + INT8 deploy"), List.of(eval.limit(250)));
    layerTable(runs.get(1));
  }

  private static String twoOfFourHolds(Run both, StepResult sparse) {
    List<String> nodes = sparse.layers().stream().filter(l -> !"skipped".equals(l.metrics().get("status")))
        .map(LayerResult::node).toList();
    io.compactor.retrain.NmPatternCheck.require(both.deploy(), nodes, io.compactor.retrain.NmPattern.M4N2);
    return "passes on " + nodes.size() + " layers";
  }

  private static double top1(OnnxModel model, Dataset eval) {
    try (ModelSession s = ModelSession.open(model, THREADS)) {
      return Evaluation.top1Accuracy(Evaluation.runAll(s, eval, 250).get("logits"), eval.labels().orElseThrow());
    }
  }

  private static void layerTable(Run run) {
    System.out.println("Per layer (" + run.name() + "): input range, weight granularity, relative output error "
        + "against the FP32 layer on calibration data");
    System.out.println();
    System.out.println("| layer | input clip [min, max] (observed) | equalization α | weights | rounding | float weights "
        + "| nearest | retrained |");
    System.out.println("|---|---|---|---|---|---|---|---|");
    for (LayerResult l : run.results().get(0).layers()) {
      Map<String, Object> m = l.metrics();
      String range = m.containsKey("clip_max") ? String.format(Locale.ROOT, "[%.3g, %.3g] ([%.3g, %.3g])",
          m.get("clip_min"), m.get("clip_max"), m.get("observed_min"), m.get("observed_max")) : String.valueOf(
          m.getOrDefault("activation", m.get("reason")));
      System.out.printf(Locale.ROOT, "| `%s` | %s | %s | %s | %s | %s | %s | %s |%n", l.node(), range,
          m.getOrDefault("equalization_alpha", ""), m.get("weight_granularity"), m.get("rounding"), fmt(m.get("error_float_weights")), fmt(m.get("error_nearest")),
          fmt(m.get("error_retrained")));
    }
    System.out.println();
  }

  private static String fmt(Object v) {
    return v instanceof Number n ? String.format(Locale.ROOT, "%.4f", n.doubleValue()) : "";
  }

  static void miniLm() {
    OnnxModel fp32 = MiniLm.load(MiniLm.FP32);
    OnnxModel q = MiniLm.load(MiniLm.DYNAMIC_INT8);
    Dataset calibration = MiniLm.tokenize("calibration", MiniLm.calibrationSentences());
    List<String> held = MiniLm.heldOutSentences();
    List<Dataset> evalBatches = new ArrayList<>();
    for (int i = 0; i < held.size(); i += 16) {
      evalBatches.add(MiniLm.tokenize("evaluation", held.subList(i, Math.min(held.size(), i + 16))));
    }
    System.out.printf(Locale.ROOT, "### all-MiniLM-L6-v2 (%d calibration sentences, %d held-out sentences in batches "
        + "of 16, padded per batch)%n%n", calibration.size(), held.size());
    int batches = calibration.batchRanges(16).size();
    Map<String, Run> runs = new LinkedHashMap<>();
    QuantOptions plain = QuantOptions.DEFAULTS.withRetrain(false).withEqualize(false);
    runs.put("static-plain", int8("ours, static, searched ranges only (no equalization, nearest rounding)", fp32,
        calibration, Map.of("batch_num", batches), plain, 16));
    runs.put("static", int8("ours, static (default: searched ranges, equalization, GPTQ)", fp32, calibration,
        Map.of("batch_num", batches), QuantOptions.DEFAULTS, 16));
    Map<String, Object> dynamic = Map.of("batch_num", batches, "activation_quant", "dynamic");
    runs.put("dynamic-plain", int8("ours, dynamic activations, no equalization, nearest rounding", fp32, calibration,
        dynamic, plain, 16));
    runs.put("dynamic", int8("ours, dynamic activations (default: equalization, GPTQ)", fp32, calibration, dynamic,
        QuantOptions.DEFAULTS, 16));
    float[][] reference = MiniLm.embeddings(fp32, evalBatches);
    System.out.println("| model | mean cosine to FP32 | worst cosine | nearest-neighbour agreement | file size | "
        + "step time |");
    System.out.println("|---|---|---|---|---|---|");
    System.out.printf(Locale.ROOT, "| FP32 | 1.0000 | 1.0000 | 100.0 %% | %.1f MB | |%n", fp32.toBytes().length / 1e6);
    row("ONNX Runtime dynamic INT8 (`-q`)", q, reference, evalBatches, Double.NaN);
    for (Run r : runs.values()) {
      row(r.name() + ", deploy model", r.deploy(), reference, evalBatches, r.seconds());
    }
    System.out.println();
    List<OnnxModel> models = new ArrayList<>(List.of(fp32, q));
    List<String> names = new ArrayList<>(List.of("FP32", "ONNX Runtime -q"));
    for (String k : List.of("static", "dynamic")) {
      models.add(runs.get(k).deploy());
      names.add(runs.get(k).name());
    }
    latency("MiniLM, all " + held.size() + " held-out sentences", models, names, evalBatches);
    layerTable(runs.get("static"));
    layerTable(runs.get("dynamic"));
    Map<String, Object> s = runs.get("static").results().get(0).summary();
    System.out.printf(Locale.ROOT, "Static summary: %s%n%n", s);
    System.out.printf(Locale.ROOT, "Dynamic summary: %s%n%n", runs.get("dynamic").results().get(0).summary());
  }

  private static void row(String name, OnnxModel model, float[][] reference, List<Dataset> eval, double seconds) {
    float[][] e = MiniLm.embeddings(model, eval);
    MiniLm.Fidelity f = MiniLm.Fidelity.of(reference, e);
    System.out.printf(Locale.ROOT, "| %s | %.4f | %.4f | %.1f %% | %.1f MB | %s |%n", name, f.mean(), f.worst(),
        100 * MiniLm.neighbourAgreement(reference, e), model.toBytes().length / 1e6,
        Double.isNaN(seconds) ? "" : String.format(Locale.ROOT, "%.0f s", seconds));
  }

  /** Median over {@link #ROUNDS} rounds of the time to run every batch; models interleaved within each round. */
  private static void latency(String what, List<OnnxModel> models, List<String> names, List<Dataset> batches) {
    double[][] times = InterleavedLatency.millis(models, batches.stream().map(b -> b.batch(0, b.size())).toList(),
        THREADS, ROUNDS);
    System.out.printf(Locale.ROOT, "Latency, %s, %d threads, median of %d interleaved rounds (min–max):%n%n", what,
        THREADS, ROUNDS);
    System.out.println("| model | median | range | vs FP32 |");
    System.out.println("|---|---|---|---|");
    double base = InterleavedLatency.median(times[0]);
    for (int m = 0; m < models.size(); m++) {
      double[] t = times[m].clone();
      Arrays.sort(t);
      System.out.printf(Locale.ROOT, "| %s | %.0f ms | %.0f–%.0f ms | %.2f× faster |%n", names.get(m), InterleavedLatency.median(t), t[0],
          t[t.length - 1], base / InterleavedLatency.median(t));
    }
    System.out.println();
  }
}
