package io.compactor.bundle.prunefilter;

import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.tensor.Tensor;
import io.compactor.retrain.DMatrix;
import io.compactor.retrain.LayerStatistics;
import io.compactor.retrain.LeastSquaresOps;
import io.compactor.retrain.LinearLayer;
import io.compactor.retrain.SequentialReconstruction;
import io.compactor.retrain.SequentialReconstruction.LayerUpdate;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Re-fits the consumers of removed channels so their outputs match the unpruned model's on calibration
 * data: per consumer, in topological order on the already-pruned model, ridge least squares pulled
 * towards its remaining weights, with its bias as a free column when it may be written. A consumer whose
 * own filters were pruned too is fitted to the kept channels of its original output. A fit that does not
 * lower the layer's output error is discarded.
 */
final class ConsumerRefit {
  private final double relativeDamping;

  ConsumerRefit(double relativeDamping) {
    this.relativeDamping = relativeDamping;
  }

  /**
   * @param original the unpruned model; not modified
   * @param keptOutputs per consumer whose own filters were pruned: the original output channels it keeps
   * @return a copy of {@code original} whose layer outputs have the pruned model's channels: every value
   *     a consumer with pruned filters writes is the kept channels of the original value, gathered from it
   *     while the rest of the graph still reads the whole original value
   */
  static OnnxModel reference(OnnxModel original, OnnxModel pruned, Map<String, int[]> keptOutputs) {
    OnnxModel ref = original.copy(original.source() + " (reference for re-fit)");
    Graph g = ref.graph();
    keptOutputs.forEach((node, kept) -> {
      LinearLayer layer = LinearLayer.of(pruned.source(), pruned.graph(), pruned.graph().node(node).orElseThrow());
      String value = layer.outputValue();
      String whole = g.uniqueValueName(value + "_unpruned");
      g.renameValue(value, whole);
      String indices = g.uniqueValueName(value + "_kept_channels");
      g.setInitializer(indices, Tensor.ofInt64s(new long[] {kept.length}, Arrays.stream(kept).asLongStream()
          .toArray()));
      Node gather = Node.create("Gather", g.uniqueNodeName(node + "_kept_channels"), List.of(whole, indices),
          List.of(value));
      gather.setAttr("axis", layer.opType().equals("Conv") ? 1L : -1L);
      g.addNode(gather);
    });
    return ref;
  }

  /** The solver for one consumer; reports errors before and after the fit. */
  LayerUpdate solve(LinearLayer layer, DMatrix weights, Optional<double[]> bias, LayerStatistics stats) {
    long start = System.nanoTime();
    boolean withBias = layer.biasSlot().writable();
    double[] b = bias.orElse(null);
    double before = stats.relativeError(weights, b);
    DMatrix fitted;
    double[] newBias = b;
    if (withBias) {
      DMatrix prior = weights.withColumn(b);
      DMatrix solution = LeastSquaresOps.ridgeTowards(layer.node(), stats.augmentedGram(), stats.augmentedCross(),
          prior, relativeDamping);
      fitted = solution.leadingColumns(weights.cols());
      newBias = solution.column(weights.cols());
    } else {
      fitted = LeastSquaresOps.ridgeTowards(layer.node(), stats.gram(), stats.crossWithoutBias(b), weights,
          relativeDamping);
    }
    double after = stats.relativeError(fitted, newBias);
    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("error_before_refit", before);
    boolean better = after < before;
    metrics.put("error_after_refit", better ? after : before);
    metrics.put("refit", better ? "re-fitted" : "kept (the re-fit did not lower the error)");
    metrics.put("bias_refitted", better && withBias);
    metrics.put("calibration_rows", stats.rows());
    metrics.put("refit_seconds", (System.nanoTime() - start) / 1e9);
    if (!better) {
      return new LayerUpdate(weights, Optional.empty(), metrics);
    }
    return new LayerUpdate(fitted, withBias ? Optional.of(newBias) : Optional.empty(), metrics);
  }

  /** Runs the re-fit of {@code consumers} on {@code pruned} towards {@code reference}. */
  List<LayerUpdate> run(SequentialReconstruction engine, OnnxModel pruned, OnnxModel reference, List<String> consumers,
      SequentialReconstruction.Listener listener) {
    return engine.run(pruned, reference, consumers, this::solve, listener);
  }
}
