package io.compactor.bundle.quantint8;

import io.compactor.api.Capabilities;
import io.compactor.api.CompactorException;
import io.compactor.api.Eligibility;
import io.compactor.api.LayerQuantization;
import io.compactor.api.LayerResult;
import io.compactor.api.LayerTask;
import io.compactor.api.StepContext;
import io.compactor.api.StepException;
import io.compactor.api.StepResult;
import io.compactor.onnx.ModelException;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.tensor.ElementType;
import io.compactor.onnx.tensor.Tensor;
import io.compactor.retrain.ActivationRange;
import io.compactor.retrain.DMatrix;
import io.compactor.retrain.Int8WeightOps;
import io.compactor.retrain.LinearLayer;
import io.compactor.retrain.NmPattern;
import io.compactor.retrain.NmPatternCheck;
import io.compactor.retrain.RangeHistogram;
import io.compactor.retrain.ReconstructionException;
import io.compactor.retrain.SequentialReconstruction;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * One INT8 step of one job: decides per layer (skip with reason, static or dynamic activations, per-channel
 * or per-tensor weights), calibrates activation ranges and inserts their fake quantization, retrains the
 * weights layer by layer on the quantized inputs, snaps biases to their int32 grid, exports the QDQ deploy
 * model and assembles the report. Lives only during {@link QuantInt8Method#apply}.
 */
final class QuantInt8Step {
  private static final String CAPABILITY = Capabilities.QUANT_INT8;
  /** Band of the range search without a configured clip: 30 % to 100 % of the observed extremes. */
  private static final double[] OBSERVED_BAND = {0.3, 1.0};
  private final StepContext context;
  private final QuantOptions options;
  private final Map<String, Int8Settings> settings = new LinkedHashMap<>();
  private final Map<String, Map<String, Object>> metrics = new LinkedHashMap<>();
  private final Map<String, QuantizedLayer> quantized = new LinkedHashMap<>();
  private final Map<String, ActivationRange> ranges = new LinkedHashMap<>();
  private final List<String> order = new ArrayList<>();
  private final List<String> finished = new ArrayList<>();
  private int reported;
  private int foldedBatchNorms;
  private String current;

  QuantInt8Step(StepContext context, QuantOptions options) {
    this.context = context;
    this.options = options;
  }

  StepResult run() {
    long start = System.nanoTime();
    OnnxModel model = context.model();
    Graph graph = model.graph();
    long opsetBefore = model.opset();
    List<String> layers = new ArrayList<>();
    for (LayerTask task : context.layers()) {
      order.add(task.node());
      Node node = graph.node(task.node()).orElseThrow(() -> new StepException(CAPABILITY, task.node(),
          "no node of that name in the model; the plan and the model disagree"));
      Int8Settings s = Int8Settings.of(task);
      settings.put(task.node(), s);
      Eligibility e = WeightInput.check(graph, node, QuantInt8Method.OP_TYPES);
      if (e.eligible() && s.channelWise() && !node.opType().startsWith("Conv")) {
        e = Eligibility.ineligible("channel_wise is true on " + node.opType() + "; AMCT allows per-channel weights on "
            + "Conv and ConvTranspose only, set channel_wise: false for this layer");
      }
      if (!e.eligible()) {
        context.warn(task.node() + ": left in float, " + e.reason());
        metrics.put(task.node(), new LinkedHashMap<>(Map.of("status", "skipped", "reason", e.reason())));
        continue;
      }
      layers.add(task.node());
    }
    requireBatches(layers);
    List<String> twoOfFour = layers.stream().filter(n -> holdsTwoOfFour(graph, graph.node(n).orElseThrow())).toList();
    if (options.foldBatchNorm() && !layers.isEmpty()) {
      foldedBatchNorms = BatchNormFold.apply(graph);
    }
    upgradeOpset(model, layers);
    context.throwIfCancelled();
    calibrateAndInsert(model, layers);
    context.throwIfCancelled();
    quantizeWeights(model, layers);
    snapBiases(model, layers);
    // the deploy model is built here only to prove the 2:4 pattern and measure it; the chain exports it
    // again from the final (retrained) form through QuantInt8Method#export
    OnnxModel deploy = layers.isEmpty() ? model.copy() : QdqExport.export(model, quantized.values());
    requireTwoOfFourKept(model, deploy, twoOfFour);
    reportUpTo(order.size());
    List<LayerResult> results = new ArrayList<>();
    for (LayerTask t : context.layers()) {
      results.add(new LayerResult(t.node(), metrics.get(t.node())));
    }
    Map<String, Object> summary = new LinkedHashMap<>(new StepSummary(context, options).summarize(model, deploy,
        quantized.values(), results, opsetBefore, (System.nanoTime() - start) / 1e9));
    summary.put("batchnorm_folded", foldedBatchNorms);
    summary.put("two_of_four_layers_kept", twoOfFour.size());
    List<LayerQuantization> form = new ArrayList<>();
    quantized.values().forEach(q -> form.add(FormCodec.describe(model.graph(), q)));
    return StepResult.of(summary, results, context.form().withQuantization(form));
  }

  /** @return whether the layer's weight holds the 2:4 pattern with at least one zero, as the 2:4 step leaves it */
  private static boolean holdsTwoOfFour(Graph g, Node node) {
    Optional<Tensor> w = g.initializer(node.input(1));
    return w.isPresent() && w.get().type() == ElementType.FLOAT && hasZero(w.get().floats())
        && NmPatternCheck.firstViolation(g, node, NmPattern.M4N2).isEmpty();
  }

  private static boolean hasZero(float[] values) {
    for (float v : values) {
      if (v == 0) {
        return true;
      }
    }
    return false;
  }

  /**
   * Proves that the int8 weights still hold the 2:4 pattern wherever the float weights did (zero weights
   * quantize to code 0): behind the deploy model's DequantizeLinear, or for a dynamically quantized MatMul,
   * which the deploy model replaces by MatMulInteger, in the fake-quant model (the same codes times their
   * scales). A violation is a defect of this step, reported as its failure.
   */
  private void requireTwoOfFourKept(OnnxModel fakeQuant, OnnxModel deploy, List<String> nodes) {
    try {
      NmPatternCheck.require(fakeQuant, nodes, NmPattern.M4N2);
      NmPatternCheck.require(deploy, nodes.stream().filter(n -> quantized.containsKey(n) && !quantized.get(n).dynamic())
          .toList(), NmPattern.M4N2);
    } catch (ModelException e) {
      throw new StepException(CAPABILITY, e.element().orElse(null),
          "INT8 broke the 2:4 pattern of the sparsity step: " + e.getMessage(), e);
    }
  }

  private void requireBatches(List<String> layers) {
    int batches = context.calibration().batchRanges(context.batchSize()).size();
    for (String n : layers) {
      int need = settings.get(n).batchNum();
      if (batches < need) {
        throw new StepException(CAPABILITY, n, "batch_num is " + need + " but the calibration data holds only "
            + batches + " batch(es) of " + context.batchSize() + " samples (" + context.calibration().size()
            + " samples); add calibration samples or lower batch_num");
      }
    }
  }

  /** Raises the opset for the QDQ operators; per-channel layers fall back to per-tensor if it cannot be. */
  private void upgradeOpset(OnnxModel model, List<String> layers) {
    Graph g = model.graph();
    boolean perAxis = layers.stream().anyMatch(this::perChannel);
    boolean dynamic = layers.stream().anyMatch(n -> dynamic(g, n));
    long need = perAxis ? 13 : dynamic ? 11 : 10;
    Optional<String> obstacle = OpsetUpgrade.obstacle(model, need);
    if (obstacle.isPresent() && perAxis) {
      for (String n : layers) {
        if (perChannel(n)) {
          Int8Settings s = settings.get(n);
          settings.put(n, new Int8Settings(s.weightAlgo(), false, s.clip(), s.fixedMin(), s.batchNum(), s.fp16Scale(),
              s.dynamic()));
        }
      }
      context.warn("per-channel weights need opset 13 for per-axis DequantizeLinear, but the model is opset "
          + model.opset() + " and " + obstacle.get() + "; channel_wise layers are quantized per tensor instead");
      need = dynamic ? 11 : 10;
      obstacle = OpsetUpgrade.obstacle(model, need);
    }
    if (obstacle.isPresent()) {
      throw new StepException(CAPABILITY, null, "the model is opset " + model.opset() + " but INT8 operators need "
          + "opset " + need + ", and " + obstacle.get() + "; convert the model to opset " + need + " first");
    }
    OpsetUpgrade.apply(model, need);
  }

  private boolean perChannel(String node) {
    return settings.get(node).channelWise();
  }

  /** @return whether the layer's activation is quantized at run time: the extension, on MatMul only */
  private boolean dynamic(Graph g, String node) {
    return settings.get(node).dynamic() && g.node(node).orElseThrow().opType().equals("MatMul");
  }

  private void calibrateAndInsert(OnnxModel model, List<String> layers) {
    Graph g = model.graph();
    if (options.equalize()) {
      equalize(model, layers);
    }
    Map<String, List<Node>> staticByValue = new LinkedHashMap<>();
    Map<String, List<Node>> dynamicByValue = new LinkedHashMap<>();
    for (String n : layers) {
      Node node = g.node(n).orElseThrow();
      (dynamic(g, n) ? dynamicByValue : staticByValue).computeIfAbsent(node.input(0), k -> new ArrayList<>()).add(node);
    }
    List<ActivationCalibration.Target> targets = new ArrayList<>();
    staticByValue.forEach((value, nodes) -> targets.add(new ActivationCalibration.Target(value,
        WeightInput.activationChannelAxis(nodes.get(0)).orElse(-1), ChannelImportance.of(g, nodes))));
    List<String> outputs = options.quantizeConvOutputs() ? convOutputs(g, layers, staticByValue.keySet(),
        dynamicByValue.keySet()) : List.of();
    outputs.forEach(v -> targets.add(new ActivationCalibration.Target(v, 1, new double[0])));
    Map<String, RangeHistogram> histograms = targets.isEmpty() ? Map.of() : calibrate(model, targets);
    for (String value : outputs) {
      boolean afterRelu = g.producer(value).map(p -> p.opType().equals("Relu")).orElse(false);
      ActivationRange r = histograms.get(value).search(afterRelu, null, OBSERVED_BAND);
      ActivationQdq.insertStatic(g, value, r, List.copyOf(g.consumers(value)));
    }
    staticByValue.forEach((value, nodes) -> {
      Int8Settings s = settings.get(nodes.get(0).name());
      for (Node other : nodes) {
        if (!settings.get(other.name()).clip().equals(s.clip())
            || !settings.get(other.name()).fixedMin().equals(s.fixedMin())) {
          context.warn(other.name() + ": shares its input " + value + " with " + nodes.get(0).name()
              + " but has other activation settings; one range serves both, from " + nodes.get(0).name());
        }
      }
      boolean afterRelu = g.producer(value).map(p -> p.opType().equals("Relu")).orElse(false);
      boolean fixedMin = s.fixedMin().orElse(afterRelu);
      ActivationRange r = histograms.get(value).search(fixedMin, s.clip().orElse(null),
          s.clip().isPresent() ? Int8Settings.CLIP_BAND : OBSERVED_BAND);
      if (s.fp16Scale()) {
        r = r.withFp16Scale();
      }
      ranges.put(value, r);
      ActivationQdq.insertStatic(g, value, r, outputQuantizable(g, value, layers)
          ? List.copyOf(g.consumers(value)) : nodes);
      for (Node node : nodes) {
        Map<String, Object> m = layerMetrics(node.name());
        m.put("activation", "static");
        m.put("input", value);
        m.put("fixed_min", fixedMin);
        m.put("observed_min", histograms.get(value).span().lo());
        m.put("observed_max", histograms.get(value).span().hi());
        m.put("clip_min", r.lo());
        m.put("clip_max", r.hi());
        m.put("input_scale", r.scale());
        m.put("input_zero_point", r.zeroPoint());
      }
    });
    dynamicByValue.forEach((value, nodes) -> {
      ActivationQdq.insertDynamic(g, value, nodes);
      nodes.forEach(node -> {
        Map<String, Object> m = layerMetrics(node.name());
        m.put("activation", "dynamic (per tensor, per run; Compactor extension)");
        m.put("input", value);
      });
    });
  }

  /** SmoothQuant-style equalization of every activation read only by quantized MatMuls (see {@link Equalization}). */
  private void equalize(OnnxModel model, List<String> layers) {
    Graph g = model.graph();
    Map<String, List<Node>> byValue = new LinkedHashMap<>();
    for (String n : layers) {
      Node node = g.node(n).orElseThrow();
      byValue.computeIfAbsent(node.input(0), k -> new ArrayList<>()).add(node);
    }
    List<Equalization.Group> groups = new ArrayList<>();
    byValue.forEach((value, nodes) -> {
      boolean dense = nodes.stream().allMatch(n -> n.opType().equals("MatMul"));
      boolean sameMode = nodes.stream().map(n -> dynamic(g, n.name())).distinct().count() == 1;
      if (dense && sameMode && !g.hasInitializer(value)) {
        groups.add(new Equalization.Group(value, nodes, dynamic(g, nodes.get(0).name())));
      }
    });
    Map<String, Object[]> chosen;
    try {
      chosen = Equalization.apply(model, groups, context.calibration(), context.batchSize(),
          n -> perChannel(n) || dynamic(g, n));
    } catch (ModelException e) {
      throw new StepException(CAPABILITY, e.element().orElse(null), "calibration data could not be run through the "
          + "model: " + e.getMessage(), e);
    }
    for (Equalization.Group group : groups) {
      Object[] c = chosen.get(group.value());
      for (Node n : group.layers()) {
        layerMetrics(n.name()).put("equalization_alpha", c[0]);
      }
    }
  }

  /**
   * Whether every reader of {@code value} should read its quantized form: when it is the output of a
   * statically quantized layer (directly or through a Relu) and nothing else reads the layer's output, so
   * ONNX Runtime sees {@code DQ → Conv → (Relu →) Q} and runs the layer with its INT8 kernel
   * ({@code QLinearConv}) instead of dequantizing around a float Conv. Graph outputs stay float.
   */
  private boolean outputQuantizable(Graph g, String value, List<String> quantizedLayers) {
    if (g.outputs().stream().anyMatch(o -> o.name().equals(value))) {
      return false;
    }
    Optional<Node> producer = g.producer(value);
    if (producer.isPresent() && producer.get().opType().equals("Relu")) {
      String pre = producer.get().input(0);
      if (g.consumers(pre).size() != 1) {
        return false;
      }
      producer = g.producer(pre);
    }
    return producer.filter(p -> quantizedLayers.contains(p.name()) && p.opType().startsWith("Conv")).isPresent();
  }

  /**
   * The outputs of statically quantized Conv layers (after the Relu when a Relu is their only reader) that
   * no quantized layer reads: quantizing them lets ONNX Runtime fuse the Conv into {@code QLinearConv}
   * where a float operator (a residual Add, a hard-swish) follows it. Graph outputs stay float.
   */
  private List<String> convOutputs(Graph g, List<String> layers, Set<String> staticInputs,
      Set<String> dynamicInputs) {
    List<String> out = new ArrayList<>();
    for (String n : layers) {
      Node node = g.node(n).orElseThrow();
      if (!node.opType().equals("Conv") || dynamic(g, n)) {
        continue;
      }
      String value = node.output(0);
      List<Node> readers = g.consumers(value);
      if (readers.size() == 1 && readers.get(0).opType().equals("Relu")) {
        value = readers.get(0).output(0);
      }
      String v = value;
      if (!staticInputs.contains(v) && !dynamicInputs.contains(v) && !out.contains(v)
          && !g.consumers(v).isEmpty() && g.outputs().stream().noneMatch(o -> o.name().equals(v))) {
        out.add(v);
      }
    }
    return out;
  }

  private Map<String, RangeHistogram> calibrate(OnnxModel model, List<ActivationCalibration.Target> targets) {
    try {
      return ActivationCalibration.histograms(model, targets, context.calibration(), context.batchSize());
    } catch (ModelException e) {
      throw new StepException(CAPABILITY, e.element().orElse(null), "calibration data could not be run through the "
          + "model: " + e.getMessage(), e);
    }
  }

  private Map<String, Object> layerMetrics(String node) {
    return metrics.computeIfAbsent(node, k -> new LinkedHashMap<>(Map.of("status", "quantized")));
  }

  private void quantizeWeights(OnnxModel model, List<String> layers) {
    Graph g = model.graph();
    List<String> retrained = new ArrayList<>();
    for (String n : layers) {
      Node node = g.node(n).orElseThrow();
      Optional<String> noView = LinearLayer.unsupported(g, node);
      if (noView.isPresent() || !options.retrain()) {
        nearest(model, node, noView.map(r -> "nearest (no layer-wise retraining: " + r + ")")
            .orElse("nearest (retraining off)"));
      } else {
        retrained.add(n);
      }
    }
    if (retrained.isEmpty()) {
      return;
    }
    Int8Solver solver = new Int8Solver(n -> perChannel(n) || dynamic(g, n),
        n -> QuantizedLayer.qmax(dynamic(g, n)), options.refit());
    SequentialReconstruction engine = new SequentialReconstruction(context.calibration(), context.batchSize());
    try {
      engine.run(model, context.original(), retrained, (layer, w, bias, stats) -> {
        current = layer.node();
        return solver.solve(layer, w, bias, stats);
      }, new SequentialReconstruction.Listener() {
        @Override
        public void checkpoint() {
          context.throwIfCancelled();
        }

        @Override
        public void layerDone(int n, int of, LinearLayer layer, SequentialReconstruction.LayerUpdate update) {
          Map<String, Object> m = layerMetrics(layer.node());
          m.putAll(update.metrics());
          record(model, g.node(layer.node()).orElseThrow(), solver.scales(layer.node()));
          finish(layer.node());
        }
      });
    } catch (CompactorException e) {
      throw e;
    } catch (ReconstructionException e) {
      throw new StepException(CAPABILITY, e.layer().orElse(current), e.getMessage(), e);
    } catch (ModelException e) {
      throw new StepException(CAPABILITY, e.element().orElse(current),
          "calibration data could not be run through the model: " + e.getMessage(), e);
    }
  }

  /** Round-to-nearest with error-minimizing scales, for layers the retraining engine has no view of. */
  private void nearest(OnnxModel model, Node node, String why) {
    Graph g = model.graph();
    String weight = node.input(1);
    var t = g.initializer(weight).orElseThrow();
    int axis = WeightInput.outputChannelAxis(node);
    ChannelView view = new ChannelView(t.shape(), axis);
    DMatrix rows = view.rows(t.floats());
    boolean perRow = perChannel(node.name()) || dynamic(g, node.name());
    int qmax = QuantizedLayer.qmax(dynamic(g, node.name()));
    double[] s = Int8WeightOps.searchScales(rows, null, perRow, qmax);
    g.setInitializer(weight, Tensor.ofFloats(t.shape(),
        view.onnx(Int8WeightOps.roundToNearest(rows, s, qmax))));
    Map<String, Object> m = layerMetrics(node.name());
    m.put("rounding", why);
    quantized.put(node.name(), new QuantizedLayer(node.name(), weight, perRow ? axis : -1, perRow ? s
        : new double[] {s[0]}, inputScale(g, node), Optional.empty()));
    putWeightMetrics(m, quantized.get(node.name()));
    finish(node.name());
  }

  /** Records a retrained layer's scales in ONNX units: Gemm's alpha is folded into W by the layer view. */
  private void record(OnnxModel model, Node node, double[] rowScales) {
    Graph g = model.graph();
    boolean perRow = perChannel(node.name()) || dynamic(g, node.name());
    double alpha = node.opType().equals("Gemm") ? node.attrFloat("alpha", 1f) : 1;
    double[] s = perRow ? rowScales.clone() : new double[] {rowScales[0]};
    for (int i = 0; i < s.length; i++) {
      s[i] /= alpha;
    }
    QuantizedLayer q = new QuantizedLayer(node.name(), node.input(1), perRow ? WeightInput.outputChannelAxis(node) : -1,
        s, inputScale(g, node), Optional.empty());
    quantized.put(node.name(), q);
    putWeightMetrics(layerMetrics(node.name()), q);
  }

  private static void putWeightMetrics(Map<String, Object> m, QuantizedLayer q) {
    m.put("weight_granularity", q.axis() >= 0 ? "per_channel (axis " + q.axis() + ")" : "per_tensor");
    List<Double> scales = new ArrayList<>();
    for (double v : q.scales()) {
      scales.add(v);
    }
    m.put("weight_scales", scales);
    m.put("weight_zero_point", 0);
    m.put("weight_max_code", q.qmax());
  }

  /** @return the static activation scale of a quantized node's input; empty when dynamic */
  private OptionalDouble inputScale(Graph g, Node node) {
    ActivationRange r = ranges.get(inputBeforeQdq(g, node));
    return r == null ? OptionalDouble.empty() : OptionalDouble.of(r.scale());
  }

  /** @return the activation a quantized node reads before its fake-quant pair */
  private static String inputBeforeQdq(Graph g, Node node) {
    return g.producer(node.input(0)).filter(p -> p.opType().equals("DequantizeLinear"))
        .flatMap(dq -> g.producer(dq.input(0))).map(q -> q.input(0)).orElse(node.input(0));
  }

  /** Snaps static Conv and Gemm biases to their int32 grid (see {@link Int32Bias}). */
  private void snapBiases(OnnxModel model, List<String> layers) {
    Graph g = model.graph();
    for (String n : layers) {
      QuantizedLayer q = quantized.get(n);
      Int32Bias.snap(g, g.node(n).orElseThrow(), q).ifPresent(bs -> {
        quantized.put(n, q.withBiasScales(bs));
        layerMetrics(n).put("bias", "int32 (scale = input scale × weight scale)");
      });
    }
  }

  /** Records a finished layer and reports progress in task order up to the first unfinished one. */
  private void finish(String node) {
    finished.add(node);
    int next = reported;
    while (next < order.size() && (finished.contains(order.get(next))
        || "skipped".equals(metrics.getOrDefault(order.get(next), Map.of()).get("status")))) {
      next++;
    }
    reportUpTo(next);
  }

  private void reportUpTo(int end) {
    while (reported < end) {
      String node = order.get(reported++);
      context.progress(reported, order.size(), node);
    }
  }
}
