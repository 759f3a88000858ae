package io.compactor.retrain;

import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.runtime.Dataset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Layer-wise reconstruction in topological order: each layer's statistics are collected on the model as
 * already rewritten up to it, a {@link LayerSolver} computes new weights, and they are written into the
 * model before any later layer is captured, so every layer corrects the error of those before it. Layers
 * that do not feed each other (such as the Q, K and V projections of one attention block) form one
 * <em>wave</em> and share one pass over the calibration data. The model is rewritten in place; the
 * reference model is only read.
 */
public final class SequentialReconstruction {
  private final Dataset calibration;
  private final int batchSize;

  /**
   * @param calibration calibration samples
   * @param batchSize samples per ONNX Runtime run, at least 1
   */
  public SequentialReconstruction(Dataset calibration, int batchSize) {
    this.calibration = Objects.requireNonNull(calibration, "calibration");
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
    }
    this.batchSize = batchSize;
  }

  /** Computes a layer's new weights from its statistics. Called once per layer, in topological order. */
  @FunctionalInterface
  public interface LayerSolver {
    /**
     * @param layer the layer's view on the model being rewritten
     * @param weights its current weights {@code W[out, in]}; the solver may modify this copy
     * @param bias its current effective bias, if it has one
     * @param statistics its statistics on the current model's inputs and the reference outputs
     * @return the new weights and bias, and metrics for the report
     */
    LayerUpdate solve(LinearLayer layer, DMatrix weights, Optional<double[]> bias, LayerStatistics statistics);
  }

  /** Hears about progress; may stop the run by throwing from {@link #checkpoint()}. */
  public interface Listener {
    /** Called before each pass over the calibration data and before each layer is solved. */
    default void checkpoint() {}

    /**
     * @param done layers finished so far
     * @param total layers in this run
     * @param layer the layer just finished
     * @param update what the solver returned for it
     */
    void layerDone(int done, int total, LinearLayer layer, LayerUpdate update);

    /**
     * The listener every step needs: a cancellation check at each checkpoint, and what to do with each
     * finished layer.
     *
     * @param checkpoint throws to stop the run, e.g. {@code context::throwIfCancelled}
     * @param layerDone called with each finished layer and its update
     * @return the listener
     */
    static Listener of(Runnable checkpoint, java.util.function.BiConsumer<LinearLayer, LayerUpdate> layerDone) {
      return new Listener() {
        @Override
        public void checkpoint() {
          checkpoint.run();
        }

        @Override
        public void layerDone(int done, int total, LinearLayer layer, LayerUpdate update) {
          layerDone.accept(layer, update);
        }
      };
    }
  }

  /**
   * The outcome for one layer.
   *
   * @param weights new weights {@code W[out, in]}, written to the model
   * @param bias new effective bias, written to the model (created when the layer had none); empty keeps it
   * @param metrics JSON-friendly values for the report
   */
  public record LayerUpdate(DMatrix weights, Optional<double[]> bias, Map<String, Object> metrics) {
    public LayerUpdate {
      Objects.requireNonNull(weights, "weights");
      Objects.requireNonNull(bias, "bias");
      metrics = Map.copyOf(metrics);
    }
  }

  /**
   * @param model the model to rewrite in place
   * @param reference the model whose layer outputs are the targets; not modified
   * @param nodes the layers to reconstruct, any order; each must have a {@link LinearLayer} view
   * @param solver computes each layer's weights
   * @param listener progress and cancellation
   * @return the updates in the order they were applied (topological)
   */
  public List<LayerUpdate> run(OnnxModel model, OnnxModel reference, List<String> nodes, LayerSolver solver,
      Listener listener) {
    Graph graph = model.graph();
    List<Node> order = graph.topologicalOrder();
    Map<String, Integer> position = new HashMap<>();
    for (int i = 0; i < order.size(); i++) {
      position.put(order.get(i).name(), i);
    }
    List<String> sorted = new ArrayList<>(nodes);
    for (String n : sorted) {
      if (!position.containsKey(n)) {
        throw new IllegalArgumentException(model.source() + ": no node named '" + n + "' to reconstruct");
      }
    }
    sorted.sort(Comparator.comparing(position::get));
    List<LayerUpdate> updates = new ArrayList<>();
    int done = 0;
    List<LinearLayer> all = sorted.stream().map(n -> view(model, n)).toList();
    try (LayerCapture capture = LayerCapture.open(model, reference, all, calibration, batchSize)) {
      for (List<String> wave : waves(model, sorted)) {
        listener.checkpoint();
        Map<String, LayerStatistics> stats = capture.statistics(wave.stream().map(n -> view(model, n)).toList());
        for (String name : wave) {
          listener.checkpoint();
          LinearLayer layer = view(model, name);
          LayerUpdate update = solver.solve(layer, layer.weights(graph), layer.bias(graph), stats.remove(name));
          layer.setWeights(graph, update.weights());
          boolean newBias = update.bias().isPresent() && layer.biasSlot().initializer().isEmpty();
          update.bias().ifPresent(b -> layer.setBias(graph, b));
          if (newBias) {
            capture.structureChanged();
          }
          updates.add(update);
          listener.layerDone(++done, sorted.size(), layer, update);
        }
      }
    }
    return updates;
  }

  private static LinearLayer view(OnnxModel model, String node) {
    Graph g = model.graph();
    return LinearLayer.of(model.source(), g, g.node(node).orElseThrow());
  }

  /** Splits layers (in topological order) into runs in which no layer feeds another. */
  static List<List<String>> waves(OnnxModel model, List<String> sorted) {
    List<List<String>> waves = new ArrayList<>();
    List<LinearLayer> current = new ArrayList<>();
    for (String name : sorted) {
      LinearLayer layer = view(model, name);
      boolean dependent = current.stream().anyMatch(u -> LayerCapture.dependsOn(model.graph(), layer, u));
      if (dependent) {
        waves.add(current.stream().map(LinearLayer::node).toList());
        current = new ArrayList<>();
      }
      current.add(layer);
    }
    if (!current.isEmpty()) {
      waves.add(current.stream().map(LinearLayer::node).toList());
    }
    return waves;
  }
}
