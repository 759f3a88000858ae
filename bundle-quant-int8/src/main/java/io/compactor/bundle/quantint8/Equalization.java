package io.compactor.bundle.quantint8;

import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.runtime.ActivationCapture;
import io.compactor.onnx.runtime.Dataset;
import io.compactor.onnx.tensor.Tensor;
import io.compactor.retrain.ActivationRange;
import io.compactor.retrain.DMatrix;
import io.compactor.retrain.Int8WeightOps;
import io.compactor.retrain.RangeHistogram;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * SmoothQuant-style equalization of activation outliers into the weights: an activation {@code X} that
 * feeds MatMul layers is divided per channel by {@code s}, and row {@code c} of each layer's weight is
 * multiplied by {@code s_c}, which leaves the float model unchanged but narrows the activation's range at
 * the cost of wider weight rows. {@code s_c = max|X_c|^α / max|W_c|^(1−α)}; α is not taken from a formula
 * but chosen, per activation, among {@link #ALPHAS} and "no equalization" by the measured output error of
 * the quantized layers (activation fake-quant and nearest-rounded weights, as the step will quantize them)
 * on a sample of calibration rows. The division is absorbed into a preceding per-channel
 * {@code Mul(x, γ) → Add(β)} (a LayerNorm's affine part) when nothing else reads it, or into the columns of
 * the layer that produces {@code X} ({@link ColumnFold}, kept when calibration data confirms it), otherwise it
 * is an explicit {@code Mul} in front of the layers, which the deploy model runs too; a group that may not
 * take an explicit {@code Mul} (setting {@code equalization: folded}) is then left unequalized.
 */
final class Equalization {
  /** The migration strengths tried besides none. */
  static final double[] ALPHAS = {0.3, 0.5, 0.7};
  /** Calibration rows kept per activation to measure the error. */
  static final int SAMPLE_ROWS = 256;
  /** Rows of the first calibration batch kept per activation to confirm a {@link ColumnFold}. */
  static final int CHECK_ROWS = 8;

  private Equalization() {}

  /**
   * One activation and the MatMul layers it feeds.
   *
   * @param value the activation
   * @param layers its quantized MatMul consumers (constant weight {@code [K, N]})
   * @param dynamic whether the activation will be quantized at run time
   * @param explicitMul whether the division may be an explicit {@code Mul} when it folds into nothing
   */
  record Group(String value, List<Node> layers, boolean dynamic, boolean explicitMul) {}

  /** Where an equalization's division went. */
  enum Division {
    /** not equalized: no α lowered the error, or only an explicit {@code Mul} could divide and it is not allowed */
    NONE,
    /** into a preceding per-channel {@code Mul(x, γ) → Add(β)} */
    AFFINE,
    /** into the columns of the layer that produces the activation ({@link ColumnFold}) */
    COLUMNS,
    /** an explicit {@code Mul} in front of the layers */
    MUL
  }

  /**
   * One activation's equalization.
   *
   * @param value the activation
   * @param alpha the migration strength, 0 for none
   * @param division where the division went
   * @param channels the activation's channels (the width of an explicit {@code Mul}'s scale)
   */
  record Chosen(String value, double alpha, Division division, int channels) {
    static Chosen none(String value, int channels) {
      return new Chosen(value, 0, Division.NONE, channels);
    }
  }

  /**
   * Chooses and applies the equalization of each group, rewriting {@code model} in place.
   *
   * @param perColumn whether a layer's weight has one scale per column
   * @param columnsFree whether scaling a layer's weight columns leaves its quantization unchanged (it is not
   *     quantized, or per column)
   * @return per activation, the chosen α and where its division went
   */
  static Map<String, Chosen> apply(OnnxModel model, List<Group> groups, Dataset data, int batchSize,
      Predicate<String> perColumn, Predicate<String> columnsFree) {
    Map<String, Chosen> chosen = new LinkedHashMap<>();
    if (groups.isEmpty()) {
      return chosen;
    }
    Map<String, Sample> samples = sample(model, groups, data, batchSize);
    Graph g = model.graph();
    Map<Group, ColumnFold> folds = new LinkedHashMap<>();
    for (Group group : groups) {
      Sample s = samples.get(group.value());
      int k = s.channels;
      List<float[]> weights = new ArrayList<>();
      List<Integer> outs = new ArrayList<>();
      double[] wMax = new double[k];
      for (Node n : group.layers()) {
        Tensor w = g.initializer(n.input(1)).orElseThrow();
        weights.add(w.floats());
        int cols = (int) w.dim(1);
        outs.add(cols);
        float[] v = w.floats();
        for (int i = 0; i < v.length; i++) {
          wMax[i / cols] = Math.max(wMax[i / cols], Math.abs(v[i]));
        }
      }
      List<double[]> reference = new ArrayList<>();
      for (int l = 0; l < weights.size(); l++) {
        reference.add(outputs(s, weights.get(l), outs.get(l)));
      }
      double bestError = error(s, weights, outs, reference, null, group, perColumn);
      double bestAlpha = 0;
      double[] best = null;
      for (double alpha : ALPHAS) {
        double[] scale = new double[k];
        for (int c = 0; c < k; c++) {
          double x = Math.max(s.absMax[c], 1e-5);
          double w = Math.max(wMax[c], 1e-5);
          scale[c] = Math.max(1e-2, Math.min(1e2, Math.pow(x, alpha) / Math.pow(w, 1 - alpha)));
        }
        double e = error(s, weights, outs, reference, scale, group, perColumn);
        if (e < bestError) {
          bestError = e;
          bestAlpha = alpha;
          best = scale;
        }
      }
      Chosen c = Chosen.none(group.value(), k);
      if (best != null) {
        scaleRows(g, group, best);
        if (absorb(g, group, best)) {
          c = new Chosen(group.value(), bestAlpha, Division.AFFINE, k);
        } else {
          Optional<ColumnFold> fold = readOnlyByLayers(g, group)
              ? ColumnFold.apply(g, group.value(), best, columnsFree) : Optional.empty();
          if (fold.isPresent()) {
            folds.put(group, fold.get());
            c = new Chosen(group.value(), bestAlpha, Division.COLUMNS, k);
          } else {
            c = divideExplicitly(g, group, best, bestAlpha);
          }
        }
      }
      chosen.put(group.value(), c);
    }
    if (!folds.isEmpty()) {
      Map<String, float[]> after = firstRows(model, folds.keySet().stream().map(Group::value).toList(), data,
          batchSize);
      folds.forEach((group, fold) -> {
        if (!fold.holds(samples.get(group.value()).first, after.get(group.value()))) {
          fold.undo(g);
          chosen.put(group.value(), divideExplicitly(g, group, fold.scale(), chosen.get(group.value()).alpha()));
        }
      });
    }
    return chosen;
  }

  /**
   * The division by an explicit {@code Mul} when the group allows one; otherwise the layers' rows are scaled back
   * and the group stays unequalized (a float rounding of the rows, far below their INT8 step).
   */
  private static Chosen divideExplicitly(Graph g, Group group, double[] scale, double alpha) {
    if (group.explicitMul()) {
      explicitMul(g, group, scale);
      return new Chosen(group.value(), alpha, Division.MUL, scale.length);
    }
    double[] back = new double[scale.length];
    for (int c = 0; c < back.length; c++) {
      back[c] = 1 / scale[c];
    }
    scaleRows(g, group, back);
    return Chosen.none(group.value(), scale.length);
  }

  /** Scales the weight rows of the group's layers up by {@code scale}. */
  private static void scaleRows(Graph g, Group group, double[] scale) {
    for (Node n : group.layers()) {
      Tensor w = g.initializer(n.input(1)).orElseThrow();
      float[] v = w.floats();
      int cols = (int) w.dim(1);
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) (v[i] * scale[i / cols]);
      }
      g.setInitializer(n.input(1), Tensor.ofFloats(w.shape(), v));
    }
  }

  /** Divides the activation by {@code scale} in a Mul in front of the layers; @return the value they now read */
  private static String explicitMul(Graph g, Group group, double[] scale) {
    float[] inv = new float[scale.length];
    for (int c = 0; c < inv.length; c++) {
      inv[c] = (float) (1 / scale[c]);
    }
    String factor = g.uniqueValueName(group.value() + "_smooth_scale");
    g.setInitializer(factor, Tensor.ofFloats(new long[] {inv.length}, inv));
    String out = g.uniqueValueName(group.value() + "_smoothed");
    Node mul = Node.create("Mul", g.uniqueNodeName(group.value() + "_smooth"), List.of(group.value(), factor),
        List.of(out));
    Node first = g.nodes().stream().filter(group.layers()::contains).findFirst().orElseThrow();
    g.insertBefore(first, mul);
    group.layers().forEach(n -> n.setInput(0, out));
    return out;
  }

  /** @return whether only the equalized layers read the activation (so dividing it at its source is theirs alone) */
  private static boolean readOnlyByLayers(Graph g, Group group) {
    return g.consumers(group.value()).size() == group.layers().size()
        && g.outputs().stream().noneMatch(o -> o.name().equals(group.value()));
  }

  /** Folds {@code 1/s} into {@code Add(Mul(x, γ), β)} when only the equalized layers read its results. */
  private static boolean absorb(Graph g, Group group, double[] scale) {
    Node add = g.producer(group.value()).filter(p -> p.opType().equals("Add")).orElse(null);
    if (add == null || !readOnlyByLayers(g, group)) {
      return false;
    }
    int betaIdx = g.hasInitializer(add.input(1)) ? 1 : g.hasInitializer(add.input(0)) ? 0 : -1;
    if (betaIdx < 0) {
      return false;
    }
    Node mul = g.producer(add.input(1 - betaIdx)).filter(p -> p.opType().equals("Mul")).orElse(null);
    if (mul == null || g.consumers(mul.output(0)).size() != 1) {
      return false;
    }
    int gammaIdx = g.hasInitializer(mul.input(1)) ? 1 : g.hasInitializer(mul.input(0)) ? 0 : -1;
    if (gammaIdx < 0) {
      return false;
    }
    String beta = add.input(betaIdx);
    String gamma = mul.input(gammaIdx);
    if (!perChannel(g, beta, scale.length) || !perChannel(g, gamma, scale.length)
        || g.consumers(beta).size() != 1 || g.consumers(gamma).size() != 1) {
      return false;
    }
    divide(g, beta, scale);
    divide(g, gamma, scale);
    return true;
  }

  private static boolean perChannel(Graph g, String name, int k) {
    return g.initializerTypeCode(name) == 1 && g.initializer(name).orElseThrow().size() == k;
  }

  private static void divide(Graph g, String name, double[] scale) {
    Tensor t = g.initializer(name).orElseThrow();
    float[] v = t.floats();
    for (int c = 0; c < v.length; c++) {
      v[c] = (float) (v[c] / scale[c]);
    }
    g.setInitializer(name, Tensor.ofFloats(t.shape(), v));
  }

  /** Rows of one activation and the per-channel maxima over all calibration rows. */
  private static final class Sample {
    int channels;
    double[] absMax;
    final List<float[]> rows = new ArrayList<>();
    /** The first {@link #CHECK_ROWS} rows of the first batch, row-major. */
    float[] first;
  }

  private static Map<String, Sample> sample(OnnxModel model, List<Group> groups, Dataset data, int batchSize) {
    Map<String, Sample> samples = new LinkedHashMap<>();
    List<String> values = groups.stream().map(Group::value).distinct().toList();
    values.forEach(v -> samples.put(v, new Sample()));
    int batches = Math.max(1, data.batchRanges(batchSize).size());
    ActivationCapture.stream(model, values, data, batchSize, (range, batch) -> batch.forEach((name, t) -> {
      Sample s = samples.get(name);
      int k = (int) t.dim(t.rank() - 1);
      if (s.absMax == null) {
        s.channels = k;
        s.absMax = new double[k];
      }
      float[] v = t.toFloats();
      int rows = v.length / k;
      if (range[0] == 0) {
        s.first = Arrays.copyOf(v, Math.min(rows, CHECK_ROWS) * k);
      }
      int stride = Math.max(1, rows * batches / SAMPLE_ROWS);
      for (int r = 0; r < rows; r++) {
        for (int c = 0; c < k; c++) {
          s.absMax[c] = Math.max(s.absMax[c], Math.abs(v[r * k + c]));
        }
        if (r % stride == 0 && s.rows.size() < SAMPLE_ROWS) {
          float[] row = new float[k];
          System.arraycopy(v, r * k, row, 0, k);
          s.rows.add(row);
        }
      }
    }));
    return samples;
  }

  /** @return the first {@link #CHECK_ROWS} rows of each value on the first calibration batch */
  private static Map<String, float[]> firstRows(OnnxModel model, List<String> values, Dataset data, int batchSize) {
    Map<String, float[]> rows = new LinkedHashMap<>();
    ActivationCapture.stream(model, values, data.limit(batchSize), batchSize, (range, batch) -> batch.forEach(
        (name, t) -> {
          float[] v = t.toFloats();
          int k = (int) t.dim(t.rank() - 1);
          rows.put(name, Arrays.copyOf(v, Math.min(v.length / k, CHECK_ROWS) * k));
        }));
    return rows;
  }

  /** The summed squared output error of the group's layers, quantized after dividing X by {@code scale}. */
  private static double[] outputs(Sample s, float[] w, int n) {
    int k = s.channels;
    double[] y = new double[s.rows.size() * n];
    for (int r = 0; r < s.rows.size(); r++) {
      float[] x = s.rows.get(r);
      for (int c = 0; c < k; c++) {
        double xc = x[c];
        if (xc != 0) {
          for (int o = 0; o < n; o++) {
            y[r * n + o] += xc * w[c * n + o];
          }
        }
      }
    }
    return y;
  }

  private static double error(Sample s, List<float[]> weights, List<Integer> outs, List<double[]> reference,
      double[] scale, Group group, Predicate<String> perColumn) {
    int k = s.channels;
    int rows = s.rows.size();
    double[][] x = new double[rows][k];
    double lo = 0;
    double hi = 0;
    for (int r = 0; r < rows; r++) {
      float[] src = s.rows.get(r);
      for (int c = 0; c < k; c++) {
        x[r][c] = src[c] / (scale == null ? 1 : scale[c]);
        lo = Math.min(lo, x[r][c]);
        hi = Math.max(hi, x[r][c]);
      }
    }
    double[] importance = new double[k];
    List<DMatrix> quantized = new ArrayList<>();
    for (int l = 0; l < weights.size(); l++) {
      float[] w = weights.get(l);
      int n = outs.get(l);
      DMatrix wt = DMatrix.zeros(n, k);
      for (int c = 0; c < k; c++) {
        double f = scale == null ? 1 : scale[c];
        for (int o = 0; o < n; o++) {
          double v = w[c * n + o] * f;
          wt.set(o, c, v);
          importance[c] += v * v;
        }
      }
      int qmax = QuantizedLayer.qmax(group.dynamic());
      quantized.add(Int8WeightOps.roundToNearest(wt, Int8WeightOps.searchScales(wt, null,
          perColumn.test(group.layers().get(l).name()), qmax), qmax));
    }
    ActivationRange range;
    if (group.dynamic()) {
      range = new ActivationRange(lo, hi > lo ? hi : lo + 1);
    } else {
      RangeHistogram h = new RangeHistogram(lo, hi);
      for (double[] row : x) {
        for (int c = 0; c < k; c++) {
          h.add(row[c], importance[c]);
        }
      }
      range = h.search(false, null, new double[] {0.3, 1.0});
    }
    double total = 0;
    double[] xq = new double[k];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < k; c++) {
        xq[c] = range.fake(x[r][c]);
      }
      for (int l = 0; l < weights.size(); l++) {
        int n = outs.get(l);
        double[] q = quantized.get(l).data();
        double[] y = reference.get(l);
        for (int o = 0; o < n; o++) {
          double yq = 0;
          int base = o * k;
          for (int c = 0; c < k; c++) {
            yq += xq[c] * q[base + c];
          }
          double d = y[r * n + o] - yq;
          total += d * d;
        }
      }
    }
    return total;
  }
}
