package io.compactor.bundle.quantint8;

import io.compactor.api.Int8Keys;
import io.compactor.benchmarks.InterleavedLatency;
import io.compactor.benchmarks.Machine;
import io.compactor.benchmarks.MiniLm;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.runtime.Dataset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * all-MiniLM-L6-v2 with its embedding tables in INT8 (issue #15, point 4): file size and held-out fidelity
 * against ONNX Runtime's {@code -q}, then what float fallback of single activations
 * ({@code float_activations}) buys static INT8, for the deploy model (ONNX Runtime's kernels) and the
 * fake-quant model (the exact arithmetic). Printed as Markdown for {@code docs/benchmarks.md}.
 *
 * <pre>
 * MiniLmEmbeddingBenchmark            both parts
 * MiniLmEmbeddingBenchmark size       tables only
 * MiniLmEmbeddingBenchmark fallback   float fallback only
 * MiniLmEmbeddingBenchmark bytes      exact file sizes of -q and of ours (dynamic MatMuls + INT8 tables)
 * MiniLmEmbeddingBenchmark deploy OUT [KEY=VALUE ...]  dynamic MatMuls + INT8 tables with the step's defaults
 *                                      (GPTQ), the form {@code compactor tune} chooses for cosine 0.99: held-out
 *                                      fidelity, its Mul nodes, and the deploy file written to OUT; KEY=VALUE adds
 *                                      a setting to every layer (channel_wise=false: one scale per table)
 * </pre>
 *
 * <p>{@code -Dbench.latency=true} adds interleaved latencies of FP32, {@code -q} and ours to the size part.
 */
public final class MiniLmEmbeddingBenchmark {
  /**
   * Searched ranges and equalization, nearest rounding: GPTQ is left out to keep the many variants affordable
   * on a shared machine (it changes the MatMul layers only, not the tables or which activations are float).
   */
  static final QuantOptions OPTIONS = QuantOptions.DEFAULTS.withRetrain(false);

  private MiniLmEmbeddingBenchmark() {}

  public static void main(String[] args) {
    String what = args.length > 0 ? args[0] : "all";
    System.out.printf(Locale.ROOT, "%s, ONNX Runtime CPU, %d intra-op threads%n%n", Machine.describe(),
        Int8Benchmark.THREADS);
    OnnxModel fp32 = MiniLm.load(MiniLm.FP32);
    Dataset calibration = MiniLm.tokenize("calibration", MiniLm.calibrationSentences());
    List<String> held = MiniLm.heldOutSentences();
    List<Dataset> eval = new ArrayList<>();
    for (int i = 0; i < held.size(); i += 16) {
      eval.add(MiniLm.tokenize("evaluation", held.subList(i, Math.min(held.size(), i + 16))));
    }
    float[][] reference = MiniLm.embeddings(fp32, eval);
    int batches = calibration.batchRanges(16).size();
    System.out.printf(Locale.ROOT, "%d calibration sentences, %d held-out sentences in batches of 16%n%n",
        calibration.size(), held.size());
    if (what.equals("size") || what.equals("all")) {
      size(fp32, calibration, eval, reference, batches);
    }
    if (what.equals("bytes")) {
      bytes(fp32, calibration, batches);
    }
    if (what.equals("deploy")) {
      deploy(fp32, calibration, eval, reference, batches, Path.of(args[1]),
          Arrays.asList(args).subList(2, args.length));
    }
    if (what.equals("fallback") || what.equals("all")) {
      fallback(fp32, calibration, eval, reference, batches);
    }
  }

  private static void size(OnnxModel fp32, Dataset calibration, List<Dataset> eval, float[][] reference,
      int batches) {
    OnnxModel q = MiniLm.load(MiniLm.DYNAMIC_INT8);
    Map<String, Object> dynamic = Map.of("batch_num", batches, "activation_quant", "dynamic");
    Map<String, Object> dynamicTables = with(dynamic, Int8Benchmark.TABLES, true);
    Map<String, Object> staticTables = Map.of("batch_num", batches, Int8Benchmark.TABLES, true);
    List<Int8Benchmark.Run> runs = List.of(
        Int8Benchmark.int8("dynamic MatMuls, tables float", fp32, calibration, dynamic, OPTIONS, 16),
        Int8Benchmark.int8("dynamic MatMuls + INT8 tables", fp32, calibration, dynamicTables, OPTIONS, 16),
        Int8Benchmark.int8("static MatMuls + INT8 tables", fp32, calibration, staticTables, OPTIONS, 16));
    System.out.println("| model | deploy mean cosine | deploy worst | fake-quant mean | fake-quant worst | "
        + "deploy file | step time |");
    System.out.println("|---|---|---|---|---|---|---|");
    double[] ref = fidelity(q, reference, eval);
    System.out.printf(Locale.ROOT, "| FP32 | | | | | %.2f MB | |%n", fp32.toBytes().length / 1e6);
    System.out.printf(Locale.ROOT, "| ONNX Runtime `-q` (dynamic, tables uint8 per tensor) | %.4f | %.4f | | | "
        + "%.2f MB | |%n", ref[0], ref[1], q.toBytes().length / 1e6);
    for (Int8Benchmark.Run r : runs) {
      double[] d = fidelity(r.deploy(), reference, eval);
      double[] f = fidelity(r.model(), reference, eval);
      System.out.printf(Locale.ROOT, "| %s | %.4f | %.4f | %.4f | %.4f | %.2f MB | %.0f s |%n", r.name(), d[0], d[1],
          f[0], f[1], r.deploy().toBytes().length / 1e6, r.seconds());
    }
    System.out.println();
    if (!Boolean.getBoolean("bench.latency")) {
      System.out.printf(Locale.ROOT, "Summary (dynamic + tables): %s%n%n", runs.get(1).results().get(0).summary());
      return;
    }
    List<OnnxModel> models = new ArrayList<>(List.of(fp32, q));
    List<String> names = new ArrayList<>(List.of("FP32", "ONNX Runtime -q"));
    for (Int8Benchmark.Run r : runs.subList(1, 3)) {
      models.add(r.deploy());
      names.add(r.name());
    }
    double[][] t = InterleavedLatency.millis(models, eval.stream().map(b -> b.batch(0, b.size())).toList(),
        Int8Benchmark.THREADS, 5);
    System.out.println("| model (latency, all held-out batches, median of 5 interleaved rounds) | median | range |");
    System.out.println("|---|---|---|");
    for (int m = 0; m < models.size(); m++) {
      double[] s = t[m].clone();
      Arrays.sort(s);
      System.out.printf(Locale.ROOT, "| %s | %.0f ms | %.0f–%.0f ms |%n", names.get(m), InterleavedLatency.median(s),
          s[0], s[s.length - 1]);
    }
    System.out.println();
    System.out.printf(Locale.ROOT, "Summary (dynamic + tables): %s%n%n", runs.get(1).results().get(0).summary());
  }

  /** The exact file sizes of {@code -q} and of ours with dynamic MatMuls and INT8 tables. */
  private static void bytes(OnnxModel fp32, Dataset calibration, int batches) {
    OnnxModel q = MiniLm.load(MiniLm.DYNAMIC_INT8);
    Int8Benchmark.Run r = Int8Benchmark.int8("dynamic MatMuls + INT8 tables", fp32, calibration,
        Map.of("batch_num", batches, "activation_quant", "dynamic", Int8Benchmark.TABLES, true), OPTIONS, 16);
    System.out.printf(Locale.ROOT, "-q (as loaded and saved): %d bytes; ours, dynamic MatMuls + INT8 tables: %d bytes%n",
        q.toBytes().length, r.deploy().toBytes().length);
  }

  /** The tuned form with the step's defaults, written to {@code out} for latency runs and graph comparisons. */
  private static void deploy(OnnxModel fp32, Dataset calibration, List<Dataset> eval, float[][] reference, int batches,
      Path out, List<String> extra) {
    Map<String, Object> settings = new HashMap<>(Map.of("batch_num", batches, "activation_quant", "dynamic",
        Int8Benchmark.TABLES, true));
    for (String kv : extra) { // KEY=VALUE settings of every layer, e.g. channel_wise=false (tables per tensor)
      String[] p = kv.split("=", 2);
      settings.put(p[0], p[1].equals("true") || p[1].equals("false") ? Boolean.valueOf(p[1]) : p[1]);
    }
    Int8Benchmark.Run r = Int8Benchmark.int8("dynamic MatMuls + INT8 tables, defaults " + extra, fp32, calibration,
        settings, QuantOptions.DEFAULTS, 16);
    r.deploy().save(out);
    double[] d = fidelity(r.deploy(), reference, eval);
    long muls = r.deploy().graph().nodes().stream().filter(n -> n.opType().equals("Mul")).count();
    System.out.printf(Locale.ROOT, "%s: held-out mean / worst cosine %.4f / %.4f, %d Mul nodes, %,d B, opset %d, "
        + "step %.0f s%n", out, d[0], d[1], muls, r.deploy().toBytes().length, r.deploy().opset(), r.seconds());
  }

  private static void fallback(OnnxModel fp32, Dataset calibration, List<Dataset> eval, float[][] reference,
      int batches) {
    Graph g = fp32.graph();
    List<String> layerNorms = new ArrayList<>();
    List<String> residuals = new ArrayList<>();
    List<String> softmax = new ArrayList<>();
    List<String> context = new ArrayList<>();
    List<String> gelu = new ArrayList<>();
    for (Node n : g.topologicalOrder()) {
      if (n.name().endsWith("/LayerNorm/Add_1")) {
        layerNorms.add(n.output(0));
      } else if (n.name().endsWith("/LayerNorm/ReduceMean")) {
        residuals.add(n.input(0));
      } else if (n.opType().equals("Softmax")) {
        softmax.add(n.input(0));
      } else if (n.name().endsWith("/attention/output/dense/MatMul")) {
        context.add(n.input(0));
      } else if (n.name().endsWith("/output/dense/MatMul")) {
        gelu.add(n.input(0));
      }
    }
    Map<String, List<String>> sets = new LinkedHashMap<>();
    sets.put("none (static MatMuls + INT8 tables)", List.of());
    sets.put("LayerNorm outputs (" + layerNorms.size() + ")", layerNorms);
    sets.put("GELU outputs, input of output/dense (" + gelu.size() + ")", gelu);
    sets.put("attention context, input of attention/output/dense (" + context.size() + ")", context);
    sets.put("residual Add outputs (" + residuals.size() + ")", residuals);
    sets.put("Softmax inputs (" + softmax.size() + ")", softmax);
    System.out.println("| float activations | quantized inputs left | deploy mean cosine | deploy worst | "
        + "fake-quant mean | fake-quant worst | deploy file | step time |");
    System.out.println("|---|---|---|---|---|---|---|---|");
    for (Map.Entry<String, List<String>> e : sets.entrySet()) {
      // the step quantizes only the inputs of its layers: a set no projection reads changes nothing
      boolean read = e.getValue().isEmpty() || g.nodes().stream().anyMatch(n -> n.opType().equals("MatMul")
          && g.hasInitializer(n.input(1)) && e.getValue().contains(n.input(0)));
      if (!read) {
        System.out.printf(Locale.ROOT, "| %s | as none | same model as none: no quantized layer reads these tensors | | | "
            + "| | |%n", e.getKey());
        continue;
      }
      Map<String, Object> extra = new HashMap<>(Map.of("batch_num", batches, Int8Benchmark.TABLES, true));
      if (!e.getValue().isEmpty()) {
        extra.put(Int8Keys.FLOAT_ACTIVATIONS.name(), Int8Keys.joinNames(e.getValue()));
      }
      Int8Benchmark.Run r = Int8Benchmark.int8(e.getKey(), fp32, calibration, extra, OPTIONS, 16);
      long staticInputs = r.model().graph().nodes().stream().filter(n -> n.opType().equals("QuantizeLinear")).count();
      double[] d = fidelity(r.deploy(), reference, eval);
      double[] f = fidelity(r.model(), reference, eval);
      System.out.printf(Locale.ROOT, "| %s | %d | %.4f | %.4f | %.4f | %.4f | %.2f MB | %.0f s |%n", e.getKey(),
          staticInputs, d[0], d[1], f[0], f[1], r.deploy().toBytes().length / 1e6, r.seconds());
    }
    System.out.println();
  }

  /** @return mean and worst cosine of the model's sentence embeddings to the reference */
  private static double[] fidelity(OnnxModel model, float[][] reference, List<Dataset> eval) {
    float[][] e = MiniLm.embeddings(model, eval);
    MiniLm.Fidelity f = MiniLm.Fidelity.of(reference, e);
    return new double[] {f.mean(), f.worst()};
  }

  private static Map<String, Object> with(Map<String, Object> base, String key, Object value) {
    Map<String, Object> m = new HashMap<>(base);
    m.put(key, value);
    return m;
  }
}
