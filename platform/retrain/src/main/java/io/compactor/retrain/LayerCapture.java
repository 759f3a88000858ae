package io.compactor.retrain;

import io.compactor.onnx.ModelException;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.graph.ValueInfo;
import io.compactor.onnx.runtime.Dataset;
import io.compactor.onnx.runtime.ModelSession;
import io.compactor.onnx.tensor.ElementType;
import io.compactor.onnx.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Runs calibration data through two models batch by batch and turns each batch into layer statistics: the
 * model as compressed so far supplies every layer's input rows, the reference model its output rows. Each
 * batch's activations are accumulated into {@link LayerStatistics} and dropped, so at most one batch of
 * activations is in memory at a time (the streaming of {@code ActivationCapture.stream}, with sessions
 * kept open across passes).
 *
 * <p>One capture serves a whole sequential run: the reference session is opened once with every layer's
 * output exposed; the probe session over the compressed model is opened once with every layer's input
 * exposed and every layer's weight and bias turned from an initializer into a graph input, fed on every
 * run with its current value from the model, so rewritten weights take effect without reopening the
 * session. A change of the graph's structure (a bias created) reopens the probe. Close the capture to
 * release both sessions.
 */
final class LayerCapture implements AutoCloseable {
  private final OnnxModel current;
  private final Dataset data;
  private final int batchSize;
  private final List<LinearLayer> layers;
  private final ModelSession reference;
  private ModelSession probe;
  private Set<String> fed = Set.of();

  private LayerCapture(OnnxModel current, Dataset data, int batchSize, List<LinearLayer> layers,
      ModelSession reference) {
    this.current = current;
    this.data = data;
    this.batchSize = batchSize;
    this.layers = List.copyOf(layers);
    this.reference = reference;
  }

  /**
   * @param current the model as compressed so far; read again on every pass
   * @param reference the model before the step; not modified
   * @param layers every layer the run will capture, as views on {@code current}'s graph
   * @param data calibration samples
   * @param batchSize samples per ONNX Runtime run, at least 1
   * @return an open capture; close it
   * @throws ModelException when a model cannot be opened in ONNX Runtime
   */
  public static LayerCapture open(OnnxModel current, OnnxModel reference, List<LinearLayer> layers, Dataset data,
      int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
    }
    List<String> outputs = layers.stream().map(LinearLayer::outputValue).distinct().toList();
    ModelSession ref = ModelSession.open(probeModel(reference, outputs, Set.of()));
    return new LayerCapture(current, data, batchSize, layers, ref);
  }

  /**
   * Opens a capture for {@code layers}, collects their statistics in one pass and closes it.
   *
   * @return statistics per layer node name, in the order of {@code layers}
   */
  public static Map<String, LayerStatistics> statistics(OnnxModel current, OnnxModel reference,
      List<LinearLayer> layers, Dataset data, int batchSize) {
    try (LayerCapture capture = open(current, reference, layers, data, batchSize)) {
      return capture.statistics(layers);
    }
  }

  /**
   * Notes that the current model's graph changed shape (e.g. a bias input was created), so the probe
   * session is reopened before the next pass. Rewritten weight values need no notice.
   */
  public void structureChanged() {
    closeProbe();
  }

  /**
   * One pass over the calibration data for layers of which none feeds another.
   *
   * @param wave views on the current model's graph, a subset of the layers the capture was opened for
   * @return statistics per layer node name, in the order of {@code wave}
   * @throws ModelException when a model cannot run or an activation does not fit its layer
   */
  public Map<String, LayerStatistics> statistics(List<LinearLayer> wave) {
    Map<String, LayerStatistics.InputMoments> shared = new LinkedHashMap<>();
    Map<String, LayerStatistics> stats = new LinkedHashMap<>();
    Map<String, List<LinearLayer>> groups = new LinkedHashMap<>();
    for (LinearLayer l : wave) {
      String key = l.inputValue() + "|" + l.patchSignature() + "|" + l.inFeatures();
      LayerStatistics.InputMoments moments = shared.computeIfAbsent(key,
          k -> new LayerStatistics.InputMoments(l.inFeatures()));
      stats.put(l.node(), new LayerStatistics(l.node(), moments, l.outFeatures()));
      groups.computeIfAbsent(key, k -> new ArrayList<>()).add(l);
    }
    List<String> inputs = wave.stream().map(LinearLayer::inputValue).distinct()
        .filter(v -> !data.inputNames().contains(v)).toList();
    List<String> outputs = wave.stream().map(LinearLayer::outputValue).distinct().toList();
    ModelSession session = inputs.isEmpty() ? null : probe();
    Map<String, Tensor> weights = currentWeights();
    for (int[] range : data.batchRanges(batchSize)) {
      Map<String, Tensor> feed = data.batch(range[0], range[1]);
      Map<String, Tensor> captured = new LinkedHashMap<>(feed);
      if (session != null) {
        Map<String, Tensor> probeFeed = new LinkedHashMap<>(feed);
        probeFeed.putAll(weights);
        captured.putAll(session.run(probeFeed, inputs));
      }
      Map<String, Tensor> expected = reference.run(feed, outputs);
      for (List<LinearLayer> group : groups.values()) {
        accumulate(group, captured, expected, stats);
      }
    }
    return stats;
  }

  private Map<String, Tensor> currentWeights() {
    Map<String, Tensor> w = new LinkedHashMap<>();
    Graph g = current.graph();
    for (String name : fed) {
      w.put(name, g.initializer(name).orElseThrow(() -> new ModelException(current.source(), name,
          "a layer weight disappeared from the model during reconstruction")));
    }
    return w;
  }

  private ModelSession probe() {
    if (probe == null) {
      Graph g = current.graph();
      Set<String> names = new LinkedHashSet<>();
      for (LinearLayer l : layers) {
        Node node = g.node(l.node()).orElseThrow();
        names.add(node.input(1));
        LinearLayer.unsupported(g, node).ifPresent(why -> {
          throw new ModelException(current.source(), l.node(), why);
        });
        BiasSlot bias = LinearLayer.of(current.source(), g, node).biasSlot();
        if (bias.writable()) {
          bias.initializer().ifPresent(names::add);
        }
      }
      List<String> values = layers.stream().map(LinearLayer::inputValue).distinct()
          .filter(v -> !data.inputNames().contains(v)).toList();
      probe = ModelSession.open(probeModel(current, values, names));
      fed = names;
    }
    return probe;
  }

  private void accumulate(List<LinearLayer> group, Map<String, Tensor> captured, Map<String, Tensor> expected,
      Map<String, LayerStatistics> stats) {
    LinearLayer first = group.get(0);
    RowSource x = rows(first, () -> first.inputRows(captured.get(first.inputValue())));
    List<RowSource> ys = new ArrayList<>();
    int maxCols = x.cols();
    for (LinearLayer l : group) {
      RowSource y = rows(l, () -> l.outputRows(expected.get(l.outputValue())));
      if (y.rows() != x.rows()) {
        throw new ModelException(current.source(), l.node(), "the reference output has " + y.rows()
            + " rows but the input " + x.rows() + "; the model before the step and the current model disagree on "
            + "shapes here");
      }
      ys.add(y);
      maxCols = Math.max(maxCols, l.outFeatures());
    }
    int chunk = LayerStatistics.chunkRows(maxCols);
    float[] xb = new float[chunk * x.cols()];
    float[] yb = new float[chunk * maxCols];
    LayerStatistics.InputMoments moments = stats.get(first.node()).moments();
    for (int from = 0; from < x.rows(); from += chunk) {
      int n = Math.min(chunk, x.rows() - from);
      x.fill(from, n, xb);
      moments.accumulate(xb, n);
      for (int k = 0; k < group.size(); k++) {
        ys.get(k).fill(from, n, yb);
        stats.get(group.get(k).node()).accumulateOutputs(xb, yb, n);
      }
    }
  }

  private interface RowMaker {
    RowSource make();
  }

  private RowSource rows(LinearLayer layer, RowMaker maker) {
    try {
      return maker.make();
    } catch (IllegalArgumentException e) {
      throw new ModelException(current.source(), layer.node(), e.getMessage()
          + "; the layer's activation does not fit its weights", e);
    }
  }

  /**
   * @return whether the output of {@code upstream} reaches the input of {@code downstream} in
   *     {@code graph}, so {@code downstream}'s rows change when {@code upstream} is rewritten
   */
  public static boolean dependsOn(Graph graph, LinearLayer downstream, LinearLayer upstream) {
    Set<String> seen = new LinkedHashSet<>();
    List<String> work = new ArrayList<>(List.of(downstream.inputValue()));
    while (!work.isEmpty()) {
      String v = work.remove(work.size() - 1);
      if (!seen.add(v)) {
        continue;
      }
      Optional<Node> producer = graph.producer(v);
      if (producer.isEmpty()) {
        continue;
      }
      if (producer.get().name().equals(upstream.node())) {
        return true;
      }
      work.addAll(producer.get().inputs());
      work.addAll(producer.get().implicitInputs());
    }
    return false;
  }

  /**
   * @return a copy of {@code model} whose outputs are {@code values} (its own outputs when there are
   *     none) and whose initializers {@code fed} are graph inputs instead, so every run feeds them
   */
  static OnnxModel probeModel(OnnxModel model, List<String> values, Set<String> fed) {
    OnnxModel copy = model.copy(model.source() + " (capture)");
    Graph g = copy.graph();
    if (!values.isEmpty()) {
      g.outputs().forEach(o -> g.removeOutput(o.name()));
      for (String v : values) {
        if (g.producer(v).isEmpty()) {
          throw new ModelException(model.source(), v, "no node produces this value; it cannot be captured");
        }
        g.addOutput(g.valueInfo(v).orElse(ValueInfo.named(v)));
      }
    }
    for (String w : fed) {
      long[] shape = g.initializerShape(w).orElseThrow();
      g.removeInitializer(w);
      if (g.inputs().stream().noneMatch(i -> i.name().equals(w))) {
        g.addInput(ValueInfo.of(w, ElementType.FLOAT, shape));
      }
    }
    return copy;
  }

  private void closeProbe() {
    if (probe != null) {
      probe.close();
      probe = null;
    }
  }

  /** Closes both sessions. */
  @Override
  public void close() {
    try {
      closeProbe();
    } finally {
      reference.close();
    }
  }
}
