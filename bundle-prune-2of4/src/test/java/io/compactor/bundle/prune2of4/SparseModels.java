package io.compactor.bundle.prune2of4;

import io.compactor.api.LayerTask;
import io.compactor.api.Settings;
import io.compactor.api.testing.SimpleStepContext;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.runtime.Dataset;
import io.compactor.retrain.fixtures.LayerModels;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Models built in code for the 2:4 bundle's tests, and step contexts over them. */
final class SparseModels {
  /** The layers of {@link #cnn} that 2:4 can take, in topological order. */
  static final List<String> CNN_SPARSE = List.of("conv1", "conv2", "up", "fc");
  /** Every linear layer of {@link #cnn}, in topological order. */
  static final List<String> CNN_LAYERS = List.of("conv1", "conv2", "dw", "up", "fc");

  private SparseModels() {}

  /** {@link LayerModels#mixedCnn} with an unbiased depthwise conv. */
  static OnnxModel cnn(long seed) {
    return LayerModels.mixedCnn("sparse-cnn", seed, 13, false);
  }

  /** @return {@code n} samples for {@link #cnn} with correlated channels */
  static Dataset cnnData(long seed, int n) {
    return LayerModels.mixedCnnData(seed, n);
  }

  /** @return tasks for {@code nodes} of {@code model}, all with {@code settings} */
  static List<LayerTask> tasks(OnnxModel model, List<String> nodes, Map<String, ?> settings) {
    return nodes.stream().map(n -> new LayerTask(n, model.graph().node(n).orElseThrow().opType(),
        new Settings(settings))).toList();
  }

  /** @return a context over {@code model} for {@code nodes} with {@code update_freq = 1} */
  static SimpleStepContext context(OnnxModel model, List<String> nodes, Dataset data, Path work) {
    return new SimpleStepContext(model, tasks(model, nodes, Map.of("n_out_of_m_type", "M4N2", "update_freq", 1)), data,
        work, 16);
  }
}
