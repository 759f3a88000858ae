package io.compactor.bundle.quantint8;

import io.compactor.api.LayerProgress;
import io.compactor.api.StepContext;
import io.compactor.api.StepException;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.tensor.Tensor;
import io.compactor.retrain.DMatrix;
import io.compactor.retrain.Int8WeightOps;
import io.compactor.retrain.LinearLayer;
import io.compactor.retrain.ReconstructionException;
import io.compactor.retrain.SequentialReconstruction;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The weight phase of the INT8 step: every eligible layer's weight onto its int8 grid, retrained layer by
 * layer on the quantized inputs (GPTQ rounding) where the reconstruction engine has a view of the layer,
 * round-to-nearest otherwise; then Conv and Gemm biases snapped to their int32 grid. Reports each layer as
 * it finishes. Lives only during one step.
 */
final class WeightPhase {
  private final StepContext context;
  private final QuantOptions options;
  private final Int8Layers decisions;
  private final LayerProgress progress;
  private final Map<String, WeightResult> results = new LinkedHashMap<>();

  WeightPhase(StepContext context, QuantOptions options, Int8Layers decisions, LayerProgress progress) {
    this.context = context;
    this.options = options;
    this.decisions = decisions;
    this.progress = progress;
  }

  /**
   * @param model the fake-quant model (activation quantization already inserted); weights are rewritten
   * @param layers the eligible layers, in task order
   * @param activations the calibration phase's result per layer
   * @return per layer, in task order, its grid and how it was reached
   */
  Map<String, WeightResult> run(OnnxModel model, List<String> layers, Map<String, ActivationResult> activations) {
    Graph g = model.graph();
    List<String> retrained = new ArrayList<>();
    for (String n : layers) {
      Node node = g.node(n).orElseThrow();
      Optional<String> noView = LinearLayer.unsupported(g, node);
      if (noView.isPresent() || !options.retrain()) {
        nearest(model, node, activations.get(n), noView.map(r -> "nearest (no layer-wise retraining: " + r + ")")
            .orElse("nearest (retraining off)"));
      } else {
        retrained.add(n);
      }
    }
    retrain(model, retrained, activations);
    snapBiases(g, layers);
    Map<String, WeightResult> ordered = new LinkedHashMap<>();
    layers.forEach(n -> ordered.put(n, results.get(n)));
    return ordered;
  }

  private void retrain(OnnxModel model, List<String> nodes, Map<String, ActivationResult> activations) {
    if (nodes.isEmpty()) {
      return;
    }
    Graph g = model.graph();
    Int8Solver solver = new Int8Solver(n -> decisions.perRow(g, n), n -> QuantizedLayer.qmax(decisions.dynamic(g, n)),
        options.refit());
    SequentialReconstruction engine = new SequentialReconstruction(context.calibration(), context.batchSize());
    try {
      progress.guard("calibration data could not be run through the model", () -> engine.run(model,
          context.original(), nodes, (layer, w, bias, stats) -> {
            progress.start(layer.node());
            return solver.solve(layer, w, bias, stats);
          }, SequentialReconstruction.Listener.of(context::throwIfCancelled, (layer, update) -> {
            Node node = g.node(layer.node()).orElseThrow();
            results.put(layer.node(), new WeightResult(retrained(node, solver.scales(layer.node()),
                activations.get(layer.node())), Optional.empty(), update.metrics()));
            progress.finish(layer.node());
          })));
    } catch (StepException e) {
      // a reconstruction failure names its own layer and needs no phase prefix
      if (e.getCause() instanceof ReconstructionException r) {
        throw new StepException(progress.capability(), r.layer().orElse(progress.current().orElse(null)),
            r.getMessage(), r);
      }
      throw e;
    }
  }

  /** Round-to-nearest with error-minimizing scales, for layers the retraining engine has no view of. */
  private void nearest(OnnxModel model, Node node, ActivationResult activation, String why) {
    Graph g = model.graph();
    String weight = node.input(1);
    Tensor t = g.initializer(weight).orElseThrow();
    int axis = WeightInput.outputChannelAxis(node);
    ChannelView view = new ChannelView(t.shape(), axis);
    DMatrix rows = view.rows(t.floats());
    boolean perRow = decisions.perRow(g, node.name());
    int qmax = QuantizedLayer.qmax(decisions.dynamic(g, node.name()));
    double[] s = Int8WeightOps.searchScales(rows, null, perRow, qmax);
    g.setInitializer(weight, Tensor.ofFloats(t.shape(), view.onnx(Int8WeightOps.roundToNearest(rows, s, qmax))));
    QuantizedLayer q = new QuantizedLayer(node.name(), weight, perRow ? axis : -1, perRow ? s : new double[] {s[0]},
        activation.kind(), inputScale(activation), Optional.empty());
    results.put(node.name(), new WeightResult(q, Optional.of(why), Map.of()));
    progress.finish(node.name());
  }

  /** @return a retrained layer's grid in ONNX units: Gemm's alpha is folded into W by the layer view */
  private QuantizedLayer retrained(Node node, double[] rowScales, ActivationResult activation) {
    Graph g = context.model().graph();
    boolean perRow = decisions.perRow(g, node.name());
    double alpha = node.opType().equals("Gemm") ? node.attrFloat("alpha", 1f) : 1;
    double[] s = perRow ? rowScales.clone() : new double[] {rowScales[0]};
    for (int i = 0; i < s.length; i++) {
      s[i] /= alpha;
    }
    return new QuantizedLayer(node.name(), node.input(1), perRow ? WeightInput.outputChannelAxis(node) : -1, s,
        activation.kind(), inputScale(activation), Optional.empty());
  }

  private static OptionalDouble inputScale(ActivationResult activation) {
    return activation.range().map(r -> OptionalDouble.of(r.scale())).orElse(OptionalDouble.empty());
  }

  /** Snaps static Conv and Gemm biases to their int32 grid (see {@link Int32Bias}). */
  private void snapBiases(Graph g, List<String> layers) {
    for (String n : layers) {
      WeightResult r = results.get(n);
      Int32Bias.snap(g, g.node(n).orElseThrow(), r.layer())
          .ifPresent(bs -> results.put(n, r.withLayer(r.layer().withBiasScales(bs))));
    }
  }
}
