package io.compactor.bundle.prune2of4;

import static io.compactor.onnx.fixtures.TestModels.gaussian;
import static io.compactor.onnx.fixtures.TestModels.node;

import io.compactor.api.LayerTask;
import io.compactor.api.Settings;
import io.compactor.api.testing.SimpleStepContext;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.graph.ValueInfo;
import io.compactor.onnx.runtime.Dataset;
import io.compactor.onnx.tensor.ElementType;
import io.compactor.retrain.fixtures.LayerModels;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Models built in code for the 2:4 bundle's tests, and step contexts over them. */
final class SparseModels {
  /** The layers of {@link #cnn} that 2:4 can take, in topological order. */
  static final List<String> CNN_SPARSE = List.of("conv1", "conv2", "up", "fc");
  /** Every linear layer of {@link #cnn}, in topological order. */
  static final List<String> CNN_LAYERS = List.of("conv1", "conv2", "dw", "up", "fc");

  private SparseModels() {}

  /**
   * {@code x [N,4,8,8]} → conv1 (4→8, 3x3, pads 1, bias) → Relu → conv2 (8→8, 3x3, pads 1, no bias) → Relu
   * → dw (depthwise 3x3, group 8) → Relu → up (ConvTranspose 8→12, 2x2, stride 2) → Relu → GlobalAveragePool
   * → Flatten → fc (Gemm 12→5, transB) → y.
   */
  static OnnxModel cnn(long seed) {
    Random r = new Random(seed);
    OnnxModel m = OnnxModel.create("sparse-cnn", 13);
    Graph g = m.graph();
    g.addInput(ValueInfo.of("x", ElementType.FLOAT, ValueInfo.UNKNOWN_DIM, 4, 8, 8));
    long[] pads = {1, 1, 1, 1};
    g.setInitializer("conv1.w", gaussian(r, 0.4f, 8, 4, 3, 3));
    g.setInitializer("conv1.b", gaussian(r, 0.1f, 8));
    node(g, "Conv", "conv1", List.of("x", "conv1.w", "conv1.b"), "c1", n -> n.setAttr("pads", pads));
    node(g, "Relu", "r1", List.of("c1"), "r1.out", n -> {});
    g.setInitializer("conv2.w", gaussian(r, 0.3f, 8, 8, 3, 3));
    node(g, "Conv", "conv2", List.of("r1.out", "conv2.w"), "c2", n -> n.setAttr("pads", pads));
    node(g, "Relu", "r2", List.of("c2"), "r2.out", n -> {});
    g.setInitializer("dw.w", gaussian(r, 0.4f, 8, 1, 3, 3));
    node(g, "Conv", "dw", List.of("r2.out", "dw.w"), "d", n -> {
      n.setAttr("pads", pads);
      n.setAttr("group", 8L);
    });
    node(g, "Relu", "r3", List.of("d"), "r3.out", n -> {});
    g.setInitializer("up.w", gaussian(r, 0.3f, 8, 12, 2, 2));
    g.setInitializer("up.b", gaussian(r, 0.1f, 12));
    node(g, "ConvTranspose", "up", List.of("r3.out", "up.w", "up.b"), "u", n -> n.setAttr("strides", new long[] {2, 2}));
    node(g, "Relu", "r4", List.of("u"), "r4.out", n -> {});
    node(g, "GlobalAveragePool", "gap", List.of("r4.out"), "gap.out", n -> {});
    node(g, "Flatten", "flat", List.of("gap.out"), "flat.out", n -> n.setAttr("axis", 1L));
    g.setInitializer("fc.w", gaussian(r, 0.5f, 5, 12));
    g.setInitializer("fc.b", gaussian(r, 0.1f, 5));
    node(g, "Gemm", "fc", List.of("flat.out", "fc.w", "fc.b"), "y", n -> n.setAttr("transB", 1L));
    g.addOutput(ValueInfo.named("y"));
    return m;
  }

  /** @return {@code n} samples for {@link #cnn} with correlated channels */
  static Dataset cnnData(long seed, int n) {
    return LayerModels.data(LayerModels.correlated(seed, n, 4, 8, 8));
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
