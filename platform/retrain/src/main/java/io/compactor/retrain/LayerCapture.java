package io.compactor.retrain;

import io.compactor.onnx.ModelException;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.graph.ValueInfo;
import io.compactor.onnx.runtime.ActivationCapture;
import io.compactor.onnx.runtime.Dataset;
import io.compactor.onnx.runtime.ModelSession;
import io.compactor.onnx.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs calibration data through two models batch by batch: the model as compressed so far, cut after
 * the layers' inputs, and the reference model, cut after the layers' outputs. Each batch's activations
 * are turned into rows and accumulated into {@link LayerStatistics}, then dropped, so at most one batch
 * of activations is in memory at a time.
 */
public final class LayerCapture {
  private LayerCapture() {}

  /**
   * @param current the model as compressed so far; supplies each layer's input rows
   * @param reference the model before the step; supplies each layer's reference output rows
   * @param layers views on {@code current}'s graph; none may feed another (see {@link #dependsOn})
   * @param data calibration samples
   * @param batchSize samples per ONNX Runtime run
   * @return statistics per layer node name, in the order of {@code layers}
   * @throws ModelException when a model cannot run or an activation does not fit its layer
   */
  public static Map<String, LayerStatistics> statistics(OnnxModel current, OnnxModel reference,
      List<LinearLayer> layers, Dataset data, int batchSize) {
    Map<String, LayerStatistics.InputMoments> shared = new LinkedHashMap<>();
    Map<String, LayerStatistics> stats = new LinkedHashMap<>();
    Map<String, List<LinearLayer>> groups = new LinkedHashMap<>();
    for (LinearLayer l : layers) {
      String key = l.inputValue() + "|" + l.patchSignature() + "|" + l.inFeatures();
      LayerStatistics.InputMoments moments = shared.computeIfAbsent(key,
          k -> new LayerStatistics.InputMoments(l.inFeatures()));
      stats.put(l.node(), new LayerStatistics(l.node(), moments, l.outFeatures()));
      groups.computeIfAbsent(key, k -> new ArrayList<>()).add(l);
    }
    Set<String> inputs = new LinkedHashSet<>();
    List<String> outputs = new ArrayList<>();
    layers.forEach(l -> inputs.add(l.inputValue()));
    layers.forEach(l -> outputs.add(l.outputValue()));
    OnnxModel probe = prefix(current, inputs, data);
    try (ModelSession ref = ModelSession.open(prefix(reference, outputs, data))) {
      ActivationCapture.stream(probe, List.copyOf(inputs), data, batchSize, (range, captured) -> {
        Map<String, Tensor> expected = ref.run(data.batch(range[0], range[1]), outputs);
        for (List<LinearLayer> group : groups.values()) {
          accumulate(current.source(), group, captured, expected, stats);
        }
      });
    }
    return stats;
  }

  private static void accumulate(String model, List<LinearLayer> group, Map<String, Tensor> captured,
      Map<String, Tensor> expected, Map<String, LayerStatistics> stats) {
    LinearLayer first = group.get(0);
    RowSource x = rows(model, first, () -> first.inputRows(captured.get(first.inputValue())));
    List<RowSource> ys = new ArrayList<>();
    for (LinearLayer l : group) {
      RowSource y = rows(model, l, () -> l.outputRows(expected.get(l.outputValue())));
      if (y.rows() != x.rows()) {
        throw new ModelException(model, l.node(), "the reference output has " + y.rows() + " rows but the input "
            + x.rows() + "; the model before the step and the current model disagree on shapes here");
      }
      ys.add(y);
    }
    int maxCols = x.cols();
    for (LinearLayer l : group) {
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

  private static RowSource rows(String model, LinearLayer layer, RowMaker maker) {
    try {
      return maker.make();
    } catch (IllegalArgumentException e) {
      throw new ModelException(model, layer.node(), e.getMessage() + "; the layer's activation does not fit its "
          + "weights", e);
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
      var producer = graph.producer(v);
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
   * @return a copy of {@code model} that computes only what {@code values} need, with those values as
   *     its outputs; the model itself when every value is a graph input
   */
  static OnnxModel prefix(OnnxModel model, Iterable<String> values, Dataset data) {
    List<String> computed = new ArrayList<>();
    for (String v : values) {
      if (!data.inputNames().contains(v)) {
        computed.add(v);
      }
    }
    if (computed.isEmpty()) {
      return model;
    }
    OnnxModel cut = model.copy(model.source() + " (prefix)");
    Graph g = cut.graph();
    g.outputs().forEach(o -> g.removeOutput(o.name()));
    for (String v : computed) {
      if (g.producer(v).isEmpty()) {
        throw new ModelException(model.source(), v, "no node produces this value; it cannot be captured");
      }
      g.addOutput(g.valueInfo(v).orElse(ValueInfo.named(v)));
    }
    g.removeUnused();
    return cut;
  }
}
