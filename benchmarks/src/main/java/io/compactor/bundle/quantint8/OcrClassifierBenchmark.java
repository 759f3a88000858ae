package io.compactor.bundle.quantint8;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.compactor.api.Eligibility;
import io.compactor.api.LayerResult;
import io.compactor.benchmarks.InterleavedLatency;
import io.compactor.bundle.quantint8.Int8Benchmark.Run;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.graph.ValueInfo;
import io.compactor.onnx.runtime.Dataset;
import io.compactor.onnx.runtime.Evaluation;
import io.compactor.onnx.runtime.Fidelity;
import io.compactor.onnx.runtime.ModelSession;
import io.compactor.onnx.tensor.Tensor;
import io.compactor.onnx.text.SentenceData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * INT8 on a real third-party CNN: PaddleOCR's text-direction classifier {@code ch_ppocr_mobile_v2.0_cls}
 * (opset 9, depthwise convolutions, HardSigmoid squeeze-excitation, weights in Constant nodes). Accuracy on
 * rendered text lines, upright (label 0) and turned by 180° (label 1), of FP32, the INT8 fake-quant and
 * deploy models, with file sizes, interleaved latencies and what was quantized, all from one run, printed as
 * Markdown for {@code docs/benchmarks.md}. Not a test; {@code bench/ocr-classifier.sh} fetches the model.
 *
 * <pre>
 * OcrClassifierBenchmark MODEL.onnx [CALIBRATION_LINES [EVALUATION_LINES]]   defaults 128, 512
 * </pre>
 */
public final class OcrClassifierBenchmark {
  private static final int CALIBRATION_BATCH = 32;
  /** PaddleOCR's default {@code cls_batch_num}: lines per classifier run in its pipeline. */
  private static final int PIPELINE_BATCH = 6;
  private static final int PIPELINE_RUNS = 40;
  private static final int LARGE_BATCH = 64;

  private OcrClassifierBenchmark() {}

  public static void main(String[] args) throws IOException, OrtException {
    System.setProperty("java.awt.headless", "true");
    if (args.length < 1) {
      System.err.println("usage: OcrClassifierBenchmark MODEL.onnx [CALIBRATION_LINES [EVALUATION_LINES]]");
      System.exit(2);
    }
    Path file = Path.of(args[0]);
    if (!Files.isRegularFile(file)) {
      System.err.println("OcrClassifierBenchmark: model file " + file.toAbsolutePath() + " does not exist; "
          + "bundle-quant-int8/bench/ocr-classifier.sh fetches ch_ppocr_mobile_v2.0_cls_infer.onnx");
      System.exit(2);
    }
    int calibrationLines = args.length > 1 ? Integer.parseInt(args[1]) : 128;
    int evaluationLines = args.length > 2 ? Integer.parseInt(args[2]) : 512;
    long start = System.nanoTime();
    OnnxModel fp32 = OnnxModel.load(file);
    int constants = fp32.graph().normalizeConstants();
    String input = checkedInput(fp32, file);
    String output = fp32.graph().outputs().get(0).name();

    // calibration and evaluation text come from disjoint sentences (even and odd lines of the sample file)
    List<String> sentences = SentenceData.englishSamples();
    List<String> even = new ArrayList<>();
    List<String> odd = new ArrayList<>();
    for (int i = 0; i < sentences.size(); i++) {
      (i % 2 == 0 ? even : odd).add(sentences.get(i));
    }
    List<String> fonts = TextLineImages.fonts();
    Dataset calibration = TextLineImages.render("calibration lines", input,
        LineTexts.sample(even, calibrationLines, 1), fonts, 1);
    Dataset eval = TextLineImages.render("evaluation lines", input, LineTexts.sample(odd, evaluationLines, 2),
        fonts, 2);

    System.out.printf(Locale.ROOT, "Java %s, %d cores, ONNX Runtime CPU, %d intra-op threads; fonts %s%n%n",
        System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), Int8Benchmark.THREADS, fonts);
    System.out.printf(Locale.ROOT, "### %s (opset %d, %d Constant nodes turned into initializers; %d calibration "
        + "lines, %d evaluation lines, each upright and turned by 180°)%n%n", file.getFileName(), fp32.opset(),
        constants, calibrationLines, evaluationLines);

    List<Run> runs = List.of(
        Int8Benchmark.int8("INT8, nearest rounding (no retraining)", fp32, calibration, Map.of(),
            QuantOptions.DEFAULTS.withRetrain(false), CALIBRATION_BATCH),
        Int8Benchmark.int8("INT8 (default: searched ranges, GPTQ retraining)", fp32, calibration, Map.of(),
            QuantOptions.DEFAULTS, CALIBRATION_BATCH));

    Tensor reference = scores(fp32, eval, output);
    long[] labels = eval.labels().orElseThrow().toLongs();
    System.out.println("| model | accuracy | upright | turned 180° | top-1 agreement with FP32 | mean cosine of "
        + "probabilities to FP32 | file | step time |");
    System.out.println("|---|---|---|---|---|---|---|---|");
    accuracyRow("FP32", reference, reference, labels, fp32, Double.NaN);
    for (Run r : runs) {
      accuracyRow(r.name() + ", fake-quant model", scores(r.model(), eval, output), reference, labels, r.model(),
          Double.NaN);
      accuracyRow(r.name() + ", deploy QDQ model", scores(r.deploy(), eval, output), reference, labels, r.deploy(),
          r.seconds());
    }
    System.out.printf(Locale.ROOT, "%nFP32 file as downloaded: %,d B.%n%n", Files.size(file));

    Run main = runs.get(1);
    List<OnnxModel> models = List.of(fp32, main.deploy());
    List<String> names = List.of("FP32", "INT8 deploy (default)");
    latency(PIPELINE_BATCH + " lines per run (PaddleOCR's cls_batch_num), " + PIPELINE_RUNS + " runs", models, names,
        batches(eval, PIPELINE_BATCH, PIPELINE_RUNS));
    latency(LARGE_BATCH + " lines per run, all " + eval.size() + " evaluation images", models, names,
        batches(eval, LARGE_BATCH, Integer.MAX_VALUE));
    layers(fp32, main);
    System.out.printf(Locale.ROOT, "ONNX Runtime kernels in the optimized graphs (FP32 → INT8 deploy): %s → %s%n%n",
        ortKernels(fp32), ortKernels(main.deploy()));
    System.out.printf(Locale.ROOT, "Step summary (default): %s%n%n", main.results().get(0).summary());
    System.out.printf(Locale.ROOT, "Whole run %.0f s.%n", (System.nanoTime() - start) / 1e9);
  }

  /**
   * @return the image input's name, after checking that the model looks like PP-OCR's direction classifier:
   *     one image input {@code [N, 3, 48 or any, 192 or any]}, one output of two class scores
   */
  private static String checkedInput(OnnxModel model, Path file) {
    List<ValueInfo> inputs = model.graph().runtimeInputs();
    List<ValueInfo> outputs = model.graph().outputs();
    long[] in = inputs.size() == 1 ? inputs.get(0).shape().orElse(new long[0]) : new long[0];
    long[] out = outputs.size() == 1 ? outputs.get(0).shape().orElse(new long[0]) : new long[0];
    boolean fits = in.length == 4 && in[1] == 3 && (in[2] < 0 || in[2] == TextLineImages.HEIGHT)
        && (in[3] < 0 || in[3] == TextLineImages.WIDTH) && out.length == 2 && out[1] == 2;
    if (!fits) {
      throw new IllegalArgumentException(file + ": expected PP-OCR's direction classifier, one image input "
          + "[N, 3, 48, 192] and one output [N, 2]; found inputs " + describe(inputs) + ", outputs "
          + describe(outputs));
    }
    return inputs.get(0).name();
  }

  private static List<String> describe(List<ValueInfo> values) {
    return values.stream().map(v -> v.name() + v.shape().map(Arrays::toString).orElse("[?]")).toList();
  }

  private static Tensor scores(OnnxModel model, Dataset data, String output) {
    try (ModelSession s = ModelSession.open(model, Int8Benchmark.THREADS)) {
      return Evaluation.runAll(s, data, LARGE_BATCH).get(output);
    }
  }

  private static void accuracyRow(String name, Tensor scores, Tensor reference, long[] labels, OnnxModel model,
      double seconds) {
    float[] p = scores.toFloats();
    int[] hits = new int[2];
    for (int i = 0; i < labels.length; i++) {
      int predicted = p[2 * i + 1] > p[2 * i] ? 1 : 0;
      hits[(int) labels[i]] += predicted == labels[i] ? 1 : 0;
    }
    int perClass = labels.length / 2;   // one upright and one turned image per line
    Fidelity f = Evaluation.fidelity(reference, scores);
    System.out.printf(Locale.ROOT, "| %s | %.1f %% | %.1f %% | %.1f %% | %.1f %% | %.5f | %,d B | %s |%n", name,
        100.0 * (hits[0] + hits[1]) / labels.length, 100.0 * hits[0] / perClass, 100.0 * hits[1] / perClass,
        100 * f.top1Agreement(), f.meanCosine(), model.toBytes().length,
        Double.isNaN(seconds) ? "" : String.format(Locale.ROOT, "%.1f s", seconds));
  }

  /** @return up to {@code count} consecutive feeds of {@code size} samples */
  private static List<Map<String, Tensor>> batches(Dataset data, int size, int count) {
    return data.batchRanges(size).stream().filter(r -> r[1] - r[0] == size).limit(count)
        .map(r -> data.batch(r[0], r[1])).toList();
  }

  /** Median over the rounds of {@link InterleavedLatency#millis} of the time to run every feed. */
  private static void latency(String what, List<OnnxModel> models, List<String> names,
      List<Map<String, Tensor>> feeds) {
    double[][] millis = InterleavedLatency.millis(models, feeds, Int8Benchmark.THREADS, Int8Benchmark.ROUNDS);
    System.out.printf(Locale.ROOT, "Latency, %s, %d threads, median of %d interleaved rounds (min–max):%n%n",
        what, Int8Benchmark.THREADS, Int8Benchmark.ROUNDS);
    System.out.println("| model | median | range | per line | vs FP32 |");
    System.out.println("|---|---|---|---|---|");
    int lines = feeds.stream().mapToInt(f -> (int) f.values().iterator().next().dim(0)).sum();
    double base = InterleavedLatency.median(millis[0]);
    for (int m = 0; m < models.size(); m++) {
      double[] t = millis[m].clone();
      Arrays.sort(t);
      double median = InterleavedLatency.median(t);
      System.out.printf(Locale.ROOT, "| %s | %.1f ms | %.1f–%.1f ms | %.2f ms | %.2f× faster |%n", names.get(m),
          median, t[0], t[t.length - 1], median / lines, base / median);
    }
    System.out.println();
  }

  /** Which operators were offered, quantized or skipped (with the reason), and how. */
  private static void layers(OnnxModel fp32, Run run) {
    QuantInt8Method method = new QuantInt8Method();
    Map<String, Integer> notOffered = new TreeMap<>();
    for (Node n : fp32.graph().nodes()) {
      if (method.opTypes().contains(n.opType())) {
        Eligibility e = method.eligibility(fp32.graph(), n);
        if (!e.eligible()) {
          notOffered.merge(n.opType() + ": " + e.reason(), 1, Integer::sum);
        }
      }
    }
    Map<String, Integer> how = new TreeMap<>();
    for (LayerResult l : run.results().get(0).layers()) {
      Map<String, Object> m = l.metrics();
      String op = fp32.graph().node(l.node()).orElseThrow().opType();
      String key = "skipped".equals(m.get("status")) ? op + " skipped: " + m.get("reason")
          : op + ", " + m.get("weight_granularity") + ", rounding " + m.get("rounding");
      how.merge(key.replaceAll("\\(group = \\d+\\)", "(group = channels)"), 1, Integer::sum);
    }
    Map<String, Object> s = run.results().get(0).summary();
    System.out.printf(Locale.ROOT, "Operators (%s): %s of %s offered layers quantized, %s skipped, %d not eligible; "
        + "opset %s → %s%n%n", run.name(), s.get("layers_quantized"), s.get("layers"), s.get("layers_skipped"),
        notOffered.values().stream().mapToInt(Integer::intValue).sum(), s.get("opset_before"), s.get("opset_after"));
    System.out.println("| count | operator, weights, rounding (or why skipped) |");
    System.out.println("|---|---|");
    how.forEach((k, v) -> System.out.printf(Locale.ROOT, "| %d | %s |%n", v, k));
    notOffered.forEach((k, v) -> System.out.printf(Locale.ROOT, "| %d | not eligible, %s |%n", v, k));
    Map<String, Long> floatOps = fp32.graph().nodes().stream().filter(n -> !method.opTypes().contains(n.opType()))
        .collect(Collectors.groupingBy(Node::opType, TreeMap::new, Collectors.counting()));
    System.out.printf(Locale.ROOT, "%nOther operators (float by design, not layers with weights): %s%n%n", floatOps);
  }

  /** @return op-type counts of the graph ONNX Runtime actually runs, after its optimizations */
  private static Map<String, Long> ortKernels(OnnxModel model) throws IOException, OrtException {
    Path optimized = Files.createTempFile("ocr-cls-ort", ".onnx");
    try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
      o.setIntraOpNumThreads(Int8Benchmark.THREADS);
      o.setOptimizedModelFilePath(optimized.toString());
      OrtEnvironment.getEnvironment().createSession(model.toBytes(), o).close();
      return OnnxModel.load(optimized).graph().nodes().stream()
          .collect(Collectors.groupingBy(Node::opType, TreeMap::new, Collectors.counting()));
    } finally {
      Files.deleteIfExists(optimized);
    }
  }
}
