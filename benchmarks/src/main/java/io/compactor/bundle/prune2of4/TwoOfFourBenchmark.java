package io.compactor.bundle.prune2of4;

import io.compactor.api.LayerResult;
import io.compactor.benchmarks.Machine;
import io.compactor.benchmarks.MiniLm;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.runtime.Dataset;
import io.compactor.onnx.runtime.Evaluation;
import io.compactor.onnx.runtime.ModelSession;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Benchmarks of 2:4 sparsity, magnitude-only against reconstruction, printed as Markdown for
 * {@code docs/benchmarks.md}. Not a test; run it as documented there.
 *
 * <pre>
 * TwoOfFourBenchmark digits DIR [CALIBRATION_SAMPLES]     digits-cnn: top-1 accuracy on DIR/eval
 * TwoOfFourBenchmark minilm [CALIBRATION_SENTENCES]        all-MiniLM-L6-v2: embedding cosine to FP32
 * TwoOfFourBenchmark all DIR                              both
 * </pre>
 */
public final class TwoOfFourBenchmark {
  private static final int BATCH = 64;
  private static final ReconstructionOptions RECONSTRUCT = ReconstructionOptions.DEFAULTS;

  private TwoOfFourBenchmark() {}

  public static void main(String[] args) {
    String what = args.length > 0 ? args[0] : "all";
    System.out.printf(Locale.ROOT, "%s, ONNX Runtime CPU%n%n", Machine.describe());
    if (what.equals("digits") || what.equals("all")) {
      digits(Path.of(args.length > 1 ? args[1] : "../shared/models/digits-cnn"),
          args.length > 2 && what.equals("digits") ? Integer.parseInt(args[2]) : 256);
    }
    if (what.equals("minilm") || what.equals("all")) {
      miniLm(args.length > 1 && what.equals("minilm") ? Integer.parseInt(args[1]) : 152);
    }
  }

  static void digits(Path dir, int samples) {
    OnnxModel fp32 = OnnxModel.load(dir.resolve("digits-cnn.onnx"));
    fp32.graph().normalizeConstants();
    Dataset calibration = Dataset.fromDirectory(dir.resolve("calibration"), fp32).limit(samples);
    Dataset eval = Dataset.fromDirectory(dir.resolve("eval"), fp32);
    System.out.printf(Locale.ROOT, "### digits-cnn (%d calibration images, %d evaluation images)%n%n",
        calibration.size(), eval.size());
    System.out.println("| model | top-1 | Δ vs FP32 | step time |");
    System.out.println("|---|---|---|---|");
    double base = top1(fp32, eval);
    System.out.printf(Locale.ROOT, "| FP32 | %.1f %% | | |%n", 100 * base);
    List<BenchmarkRun> runs = List.of(
        BenchmarkRun.of("2:4 magnitude only", fp32, calibration, RECONSTRUCT.magnitudeOnly(), 0, BATCH),
        BenchmarkRun.of("2:4 reconstructed, update_freq 0", fp32, calibration, RECONSTRUCT, 0, BATCH),
        BenchmarkRun.of("2:4 reconstructed, update_freq 1", fp32, calibration, RECONSTRUCT, 1, BATCH),
        BenchmarkRun.of("2:4 SparseGPT target (layer weights), update_freq 1", fp32, calibration,
            RECONSTRUCT.withTarget(ReconstructionOptions.Target.LAYER_WEIGHTS), 1, BATCH));
    for (BenchmarkRun r : runs) {
      double acc = top1(r.model(), eval);
      System.out.printf(Locale.ROOT, "| %s | %.1f %% | %+.1f | %.1f s |%n", r.name(), 100 * acc, 100 * (acc - base),
          r.seconds());
    }
    System.out.println("| 2:4 + INT8 | measured by Int8Benchmark digits | | |");
    System.out.println();
    layerTable(runs.get(1));
  }

  private static double top1(OnnxModel model, Dataset eval) {
    try (ModelSession s = ModelSession.open(model)) {
      return Evaluation.top1Accuracy(Evaluation.runAll(s, eval, 250).get("logits"), eval.labels().orElseThrow());
    }
  }

  private static void layerTable(BenchmarkRun run) {
    System.out.println("Per layer (" + run.name() + "): relative output error against the FP32 layer output on "
        + "calibration data");
    System.out.println();
    System.out.println("| layer | status | sparsity | dense weights | magnitude 2:4 | reconstructed |");
    System.out.println("|---|---|---|---|---|---|");
    for (LayerResult l : run.result().layers()) {
      Map<String, Object> m = l.metrics();
      String status = m.containsKey("reason") ? m.get("status") + ": " + m.get("reason") : (String) m.get("status");
      System.out.printf(Locale.ROOT, "| `%s` | %s | %s | %s | %s | %s |%n", l.node(), status,
          fmt(m.get("sparsity"), "%.2f"), fmt(m.get("error_dense"), "%.4f"), fmt(m.get("error_magnitude"), "%.4f"),
          fmt(m.get("error_reconstructed"), "%.4f"));
    }
    System.out.println();
  }

  private static String fmt(Object v, String format) {
    return v instanceof Number n ? String.format(Locale.ROOT, format, n.doubleValue()) : "";
  }

  static void miniLm(int calibrationSentences) {
    OnnxModel fp32 = MiniLm.load(MiniLm.FP32);
    Dataset calibration = MiniLm.tokenize("calibration", MiniLm.everyOther(0, calibrationSentences));
    Dataset eval = MiniLm.tokenize("evaluation", MiniLm.heldOutSentences());
    System.out.printf(Locale.ROOT, "### all-MiniLM-L6-v2 (%d calibration sentences, %d held-out sentences, "
        + "%d and %d tokens padded)%n%n", calibration.size(), eval.size(), calibration.batch(0, 1).get("input_ids").dim(1),
        eval.batch(0, 1).get("input_ids").dim(1));
    float[][] reference = MiniLm.embeddings(fp32, eval);
    System.out.println("| model | mean cosine to FP32 | worst cosine | nearest-neighbour agreement | step time |");
    System.out.println("|---|---|---|---|---|");
    System.out.printf(Locale.ROOT, "| FP32 | 1.0000 | 1.0000 | 100.0 %% | |%n");
    Map<String, BenchmarkRun> runs = new LinkedHashMap<>();
    runs.put("m", BenchmarkRun.of("2:4 magnitude only", fp32, calibration, RECONSTRUCT.magnitudeOnly(), 0, 32));
    runs.put("r0", BenchmarkRun.of("2:4 reconstructed, update_freq 0", fp32, calibration, RECONSTRUCT, 0, 32));
    runs.put("r1", BenchmarkRun.of("2:4 reconstructed, update_freq 1", fp32, calibration, RECONSTRUCT, 1, 32));
    runs.put("w1", BenchmarkRun.of("2:4 SparseGPT target (layer weights), update_freq 1", fp32, calibration,
        RECONSTRUCT.withTarget(ReconstructionOptions.Target.LAYER_WEIGHTS), 1, 32));
    for (BenchmarkRun r : runs.values()) {
      float[][] e = MiniLm.embeddings(r.model(), eval);
      MiniLm.Fidelity f = MiniLm.Fidelity.of(reference, e);
      System.out.printf(Locale.ROOT, "| %s | %.4f | %.4f | %.1f %% | %.1f s |%n", r.name(), f.mean(), f.worst(),
          100 * MiniLm.neighbourAgreement(reference, e), r.seconds());
    }
    System.out.println();
    BenchmarkRun r = runs.get("r1");
    System.out.printf(Locale.ROOT, "%s: %d of %d MatMul layers sparse (%s weights, sparsity %.3f); mean layer output "
        + "error %.4f magnitude-only vs %.4f reconstructed; calibration cosine %.4f%n%n", r.name(),
        (long) r.summary("layers_sparse"), (long) r.summary("layers"), (long) r.summary("sparse_weights"),
        r.summary("sparsity"), r.summary("mean_error_magnitude"), r.summary("mean_error_reconstructed"),
        r.summary("calibration_mean_cosine"));
  }
}
