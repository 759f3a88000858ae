package io.compactor.bundle.prunefilter;

import io.compactor.api.FilterPruneKeys;
import io.compactor.api.LayerTask;
import io.compactor.api.Settings;
import io.compactor.api.StepResult;
import io.compactor.api.testing.SimpleStepContext;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.runtime.Dataset;
import io.compactor.onnx.runtime.Evaluation;
import io.compactor.onnx.runtime.Fidelity;
import io.compactor.onnx.runtime.ModelSession;
import io.compactor.onnx.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Robustness benchmark on a real detector with Constant-node weights, ConvTranspose, Resize, depthwise
 * convolutions and squeeze-excitation blocks (PP-OCRv4 text detection): every Conv is offered; the step must
 * either prune a group and leave a model that runs in ONNX Runtime, or keep the group with a reason. Inputs
 * are synthetic documents (lines of dark boxes on a light page, fixed seed), so fidelity is measured against the FP32 model's
 * probability map, not against ground truth. Not a test; {@code bench/ocr-detector.sh} fetches the model.
 *
 * <pre>
 * OcrDetectorBenchmark MODEL.onnx [RATIO [CALIBRATION_IMAGES [SIZE [ASCEND_OPTIMIZED]]]]   defaults 0.3, 16, 160, true
 * </pre>
 */
public final class OcrDetectorBenchmark {
  /** PP-OCR's default {@code det_db_thresh}: pixels above it count as text. */
  private static final float TEXT_THRESHOLD = 0.3f;

  private OcrDetectorBenchmark() {}

  public static void main(String[] args) throws IOException {
    Path file = Path.of(args[0]);
    double ratio = args.length > 1 ? Double.parseDouble(args[1]) : 0.3;
    int samples = args.length > 2 ? Integer.parseInt(args[2]) : 16;
    int size = args.length > 3 ? Integer.parseInt(args[3]) : 160;
    boolean ascend = args.length <= 4 || Boolean.parseBoolean(args[4]);
    OnnxModel fp32 = OnnxModel.load(file);
    int constants = fp32.graph().normalizeConstants();
    String input = fp32.graph().runtimeInputs().get(0).name();
    Dataset calibration = images(input, 1, samples, size);
    Dataset heldOut = images(input, 2, 8, size);
    System.out.printf(Locale.ROOT, "### %s, prune_ratio %.1f, ascend_optimized %s (%d synthetic %dx%d calibration "
        + "images, %d held out; %d Constant nodes turned into initializers)%n%n", file.getFileName(), ratio, ascend, samples,
        size, size, heldOut.size(), constants);
    OnnxModel model = fp32.copy();
    List<LayerTask> tasks = model.graph().topologicalOrder().stream().filter(n -> n.opType().equals("Conv"))
        .map(n -> new LayerTask(n.name(), n.opType(), new Settings(Map.of(FilterPruneKeys.PRUNE_RATIO.name(), ratio,
            FilterPruneKeys.ASCEND_OPTIMIZED.name(), ascend)))).toList();
    Path work = Files.createTempDirectory("bench-filter-ocr");
    SimpleStepContext context = new SimpleStepContext(model, tasks, calibration, work, 4);
    long start = System.nanoTime();
    StepResult result = new FilterPruneMethod().apply(context);
    double seconds = (System.nanoTime() - start) / 1e9;
    Files.delete(work);
    String output = fp32.graph().outputs().get(0).name();
    Tensor before;
    Tensor after;
    try (ModelSession a = ModelSession.open(fp32); ModelSession b = ModelSession.open(model)) {
      before = Evaluation.runAll(a, heldOut, 4).get(output);
      after = Evaluation.runAll(b, heldOut, 4).get(output);
    }
    Fidelity f = Evaluation.fidelity(before, after);
    float[] p = before.floats();
    float[] q = after.floats();
    int both = 0;
    int either = 0;
    int textBefore = 0;
    for (int i = 0; i < p.length; i++) {
      boolean a = p[i] > TEXT_THRESHOLD;
      boolean b = q[i] > TEXT_THRESHOLD;
      both += a && b ? 1 : 0;
      either += a || b ? 1 : 0;
      textBefore += a ? 1 : 0;
    }
    Map<String, Object> s = result.summary();
    System.out.println("| | FP32 | pruned |");
    System.out.println("|---|---|---|");
    System.out.printf(Locale.ROOT, "| parameters | %,d | %,d |%n", (Long) s.get("params_before"), (Long) s.get(
        "params_after"));
    System.out.printf(Locale.ROOT, "| MACs per image | %,d | %,d |%n", (Long) s.get("macs_before"), (Long) s.get(
        "macs_after"));
    System.out.printf(Locale.ROOT, "| file | %,d B | %,d B |%n", (Long) s.get("model_bytes_before"), (Long) s.get(
        "model_bytes_after"));
    System.out.printf(Locale.ROOT, "| output shape (held out) | %s | %s |%n", java.util.Arrays.toString(before.shape()),
        java.util.Arrays.toString(after.shape()));
    System.out.printf(Locale.ROOT, "%nGroups: %s of %s pruned, channels %s → %s; %s consumers re-fitted (mean error "
        + "%.4f → %.4f); held-out probability maps: mean cosine %.4f, max abs error %.4f, text pixels (p > %.1f) "
        + "%.1f %% of FP32's map, IoU with FP32's text pixels %.3f; step %.1f s.%n%n",
        s.get("groups_pruned"), s.get("groups"), s.get("channels_before"), s.get("channels_after"),
        s.get("layers_refitted"), (Double) s.get("mean_error_before_refit"), (Double) s.get("mean_error_after_refit"),
        f.meanCosine(), f.maxAbsError(), TEXT_THRESHOLD, 100.0 * textBefore / p.length,
        either == 0 ? 1.0 : (double) both / either, seconds);
    Map<String, Integer> reasons = new LinkedHashMap<>();
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> groups = (List<Map<String, Object>>) s.get("group_report");
    for (Map<String, Object> g : groups) {
      if (!"pruned".equals(g.get("status"))) {
        reasons.merge(kind(String.valueOf(g.get("reason"))), 1, Integer::sum);
      }
    }
    System.out.println("| groups kept | why (first reason, node names dropped) |");
    System.out.println("|---|---|");
    reasons.forEach((why, n) -> System.out.printf(Locale.ROOT, "| %d | %s |%n", n, why));
    System.out.println();
  }

  /** @return the first reason with quoted node names removed, so equal causes count together */
  private static String kind(String reason) {
    String first = reason.split("; ")[0];
    return first.replaceAll("'[^']*'", "'…'").replaceAll("\\[[^\\]]*\\]", "[…]").replaceAll("\\d+", "N");
  }

  /**
   * @return {@code n} synthetic "documents": a light, slightly noisy page with a few lines of dark
   *     character-sized boxes, normalized with ImageNet's mean and deviation as PP-OCR's preprocessing does
   */
  private static Dataset images(String input, long seed, int n, int size) {
    Random r = new Random(seed);
    float[] mean = {0.485f, 0.456f, 0.406f};
    float[] std = {0.229f, 0.224f, 0.225f};
    float[] v = new float[n * 3 * size * size];
    for (int i = 0; i < n; i++) {
      float[][] page = new float[size][size];
      for (float[] row : page) {
        for (int x = 0; x < size; x++) {
          row[x] = 0.85f + 0.05f * (float) r.nextGaussian();
        }
      }
      int lines = 2 + r.nextInt(4);
      for (int l = 0; l < lines; l++) {
        int height = 6 + r.nextInt(10);
        int top = r.nextInt(size - height);
        int x = r.nextInt(size / 4);
        int end = x + size / 3 + r.nextInt(size / 2);
        while (x < Math.min(end, size - 2)) {
          int w = Math.max(2, height / 2 + r.nextInt(height));
          for (int y = top; y < top + height; y++) {
            for (int xx = x; xx < Math.min(x + w, size); xx++) {
              if (r.nextFloat() < 0.6f) {
                page[y][xx] = 0.1f + 0.1f * r.nextFloat();
              }
            }
          }
          x += w + 1 + r.nextInt(3);
        }
      }
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < size; y++) {
          for (int x = 0; x < size; x++) {
            v[((i * 3 + c) * size + y) * size + x] = (page[y][x] - mean[c]) / std[c];
          }
        }
      }
    }
    return new Dataset("synthetic documents", Map.of(input, Tensor.ofFloats(new long[] {n, 3, size, size}, v)), null);
  }
}
