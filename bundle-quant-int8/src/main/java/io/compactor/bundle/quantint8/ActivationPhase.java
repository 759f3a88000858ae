package io.compactor.bundle.quantint8;

import io.compactor.api.Capabilities;
import io.compactor.api.StepContext;
import io.compactor.api.StepException;
import io.compactor.onnx.ModelException;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.retrain.ActivationRange;
import io.compactor.retrain.RangeHistogram;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The calibration phase of the INT8 step: optional SmoothQuant-style equalization, activation ranges
 * searched on calibration histograms, and the activation fake quantization (static Q/DQ or dynamic) inserted
 * in front of the layers. Activations named in {@code float_activations} get none: the layers reading them
 * keep a float input (weight-only INT8), and no Conv output of that name is quantized. Lives only during one
 * step.
 */
final class ActivationPhase {
  private static final String CAPABILITY = Capabilities.QUANT_INT8;
  /** Band of the range search without a configured clip: 30 % to 100 % of the observed extremes. */
  private static final double[] OBSERVED_BAND = {0.3, 1.0};
  private final StepContext context;
  private final QuantOptions options;
  private final Int8Layers decisions;
  private final Map<String, ActivationResult> results = new LinkedHashMap<>();
  private final Map<String, Equalization.Chosen> equalization = new LinkedHashMap<>();

  ActivationPhase(StepContext context, QuantOptions options, Int8Layers decisions) {
    this.context = context;
    this.options = options;
    this.decisions = decisions;
  }

  /** @return per layer whose input equalization considered, the α it chose and where the division went */
  Map<String, Equalization.Chosen> equalization() {
    return equalization;
  }

  /**
   * Runs the phase on the eligible layers of the context model, rewriting it.
   *
   * @return per layer, how its input is quantized
   */
  Map<String, ActivationResult> run(OnnxModel model, List<String> layers) {
    Graph g = model.graph();
    if (options.equalize()) {
      equalize(model, layers);
    }
    Map<String, List<Node>> staticByValue = new LinkedHashMap<>();
    Map<String, List<Node>> dynamicByValue = new LinkedHashMap<>();
    for (String n : layers) {
      Node node = g.node(n).orElseThrow();
      if (decisions.floatInput(g, n)) {
        results.put(n, ActivationResult.floatInput(node.input(0)));
        continue;
      }
      (decisions.dynamic(g, n) ? dynamicByValue : staticByValue).computeIfAbsent(node.input(0), k -> new ArrayList<>()).add(node);
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
      Int8Settings s = decisions.get(nodes.get(0).name());
      for (Node other : nodes) {
        if (!decisions.get(other.name()).clip().equals(s.clip())
            || !decisions.get(other.name()).fixedMin().equals(s.fixedMin())) {
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
      ActivationQdq.insertStatic(g, value, r, outputQuantizable(g, value, layers)
          ? List.copyOf(g.consumers(value)) : nodes);
      ActivationResult result = ActivationResult.statical(value, r, histograms.get(value).span(), fixedMin);
      nodes.forEach(node -> results.put(node.name(), result));
    });
    dynamicByValue.forEach((value, nodes) -> {
      ActivationQdq.insertDynamic(g, value, nodes);
      nodes.forEach(node -> results.put(node.name(), ActivationResult.dynamic(value)));
    });
    return results;
  }

  /**
   * SmoothQuant-style equalization of every activation read only by quantized MatMuls (see {@link Equalization}),
   * within what the layers' {@code equalization} settings allow: the strictest of an activation's readers.
   */
  private void equalize(OnnxModel model, List<String> layers) {
    Graph g = model.graph();
    Map<String, List<Node>> byValue = new LinkedHashMap<>();
    for (String n : layers) {
      Node node = g.node(n).orElseThrow();
      if (decisions.floatInput(g, n)) {
        continue; // a float input gains nothing from a narrower range
      }
      byValue.computeIfAbsent(node.input(0), k -> new ArrayList<>()).add(node);
    }
    List<Equalization.Group> groups = new ArrayList<>();
    byValue.forEach((value, nodes) -> {
      boolean dense = nodes.stream().allMatch(n -> n.opType().equals("MatMul"));
      boolean sameMode = nodes.stream().map(n -> decisions.dynamic(g, n.name())).distinct().count() == 1;
      List<String> allowed = nodes.stream().map(n -> decisions.get(n.name()).equalization()).toList();
      if (dense && sameMode && !g.hasInitializer(value) && !allowed.contains(Int8Settings.EQUALIZE_NONE)) {
        groups.add(new Equalization.Group(value, nodes, decisions.dynamic(g, nodes.get(0).name()),
            !allowed.contains(Int8Settings.EQUALIZE_FOLDED)));
      }
    });
    Map<String, Equalization.Chosen> chosen;
    try {
      chosen = Equalization.apply(model, groups, context.calibration(), context.batchSize(),
          n -> decisions.perRow(g, n), n -> !layers.contains(n) || decisions.perRow(g, n));
    } catch (ModelException e) {
      throw new StepException(CAPABILITY, e.element().orElse(null), "calibration data could not be run through the "
          + "model: " + e.getMessage(), e);
    }
    for (Equalization.Group group : groups) {
      group.layers().forEach(n -> equalization.put(n.name(), chosen.get(group.value())));
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
      if (!node.opType().equals("Conv") || decisions.dynamic(g, n)) {
        continue;
      }
      String value = node.output(0);
      List<Node> readers = g.consumers(value);
      if (readers.size() == 1 && readers.get(0).opType().equals("Relu")) {
        value = readers.get(0).output(0);
      }
      String v = value;
      if (!staticInputs.contains(v) && !dynamicInputs.contains(v) && !out.contains(v) && !decisions.isFloat(v)
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
}
