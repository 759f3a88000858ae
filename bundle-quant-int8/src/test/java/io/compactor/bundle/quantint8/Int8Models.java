package io.compactor.bundle.quantint8;

import static io.compactor.onnx.fixtures.TestModels.gaussian;
import static io.compactor.onnx.fixtures.TestModels.node;

import io.compactor.api.ExportContext;
import io.compactor.api.LayerTask;
import io.compactor.api.Settings;
import io.compactor.api.StepResult;
import io.compactor.api.testing.SimpleStepContext;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.graph.ValueInfo;
import io.compactor.onnx.runtime.Dataset;
import io.compactor.onnx.tensor.ElementType;
import io.compactor.onnx.tensor.Tensor;
import io.compactor.retrain.fixtures.LayerModels;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Models built in code for the INT8 bundle's tests, and step contexts over them. */
final class Int8Models {
  /** Export context of the tests: warnings are not expected from an export. */
  private static final ExportContext EXPORT = new ExportContext() {
    @Override
    public String jobId() {
      return "test-job";
    }

    @Override
    public Path workDirectory() {
      return Path.of(System.getProperty("java.io.tmpdir"));
    }

    @Override
    public void warn(String message) {
      throw new AssertionError("unexpected export warning: " + message);
    }
  };

  /** @return the deploy model the chain would export from the step's training form */
  static OnnxModel deploy(StepResult r) {
    return new QuantInt8Method().export(r.form().orElseThrow(), EXPORT).orElseThrow();
  }

  /** Every quantizable layer of {@link #cnn}, in topological order. */
  static final List<String> CNN_LAYERS = List.of("conv1", "conv2", "dw", "up", "fc");

  private Int8Models() {}

  /** {@link LayerModels#mixedCnn} with a biased depthwise conv. */
  static OnnxModel cnn(long seed, long opset) {
    return LayerModels.mixedCnn("int8-cnn", seed, opset, true);
  }

  /** @return {@code n} samples for {@link #cnn} with correlated channels */
  static Dataset cnnData(long seed, int n) {
    return LayerModels.mixedCnnData(seed, n);
  }

  /**
   * A transformer-like block: {@code x [N,6,16]} → q (MatMul 16→16) + Add → Relu-free GELU-ish Tanh →
   * ffn (MatMul 16→24) + Add → out (MatMul 24→8) → y; two MatMuls read {@code x} (q and gate).
   */
  static OnnxModel block(long seed) {
    Random r = new Random(seed);
    OnnxModel m = OnnxModel.create("int8-block", 13);
    Graph g = m.graph();
    g.addInput(ValueInfo.of("x", ElementType.FLOAT, ValueInfo.UNKNOWN_DIM, 6, 16));
    g.setInitializer("q.w", gaussian(r, 0.3f, 16, 16));
    g.setInitializer("q.b", gaussian(r, 0.1f, 16));
    node(g, "MatMul", "q", List.of("x", "q.w"), "q.mm", n -> {});
    node(g, "Add", "q.add", List.of("q.mm", "q.b"), "q.out", n -> {});
    g.setInitializer("gate.w", gaussian(r, 0.3f, 16, 16));
    node(g, "MatMul", "gate", List.of("x", "gate.w"), "gate.out", n -> {});
    node(g, "Mul", "mix", List.of("q.out", "gate.out"), "mix.out", n -> {});
    node(g, "Tanh", "act", List.of("mix.out"), "act.out", n -> {});
    g.setInitializer("ffn.w", gaussian(r, 0.3f, 16, 24));
    node(g, "MatMul", "ffn", List.of("act.out", "ffn.w"), "ffn.out", n -> {});
    g.setInitializer("out.w", gaussian(r, 0.3f, 24, 8));
    node(g, "MatMul", "out", List.of("ffn.out", "out.w"), "y", n -> {});
    g.addOutput(ValueInfo.named("y"));
    return m;
  }

  /** @return {@code n} samples for {@link #block} */
  static Dataset blockData(long seed, int n) {
    Tensor t = LayerModels.correlated(seed, n, 16, 6);
    // correlated() puts channels on axis 1; the block wants features last: transpose [n,16,6] → [n,6,16]
    float[] v = t.floats();
    float[] out = new float[v.length];
    for (int s = 0; s < n; s++) {
      for (int c = 0; c < 16; c++) {
        for (int p = 0; p < 6; p++) {
          out[(s * 6 + p) * 16 + c] = v[(s * 16 + c) * 6 + p];
        }
      }
    }
    return LayerModels.data(Tensor.ofFloats(new long[] {n, 6, 16}, out));
  }

  /** @return tasks for {@code nodes} with the planner's defaults plus {@code extra} */
  static List<LayerTask> tasks(OnnxModel model, List<String> nodes, Map<String, ?> extra) {
    return nodes.stream().map(n -> {
      String op = model.graph().node(n).orElseThrow().opType();
      Map<String, Object> s = new HashMap<>(Map.of("weight_algo", "arq_retrain", "dst_type", "INT8", "batch_num", 1,
          "channel_wise", op.startsWith("Conv")));
      s.putAll(extra);
      return new LayerTask(n, op, new Settings(s));
    }).toList();
  }

  static SimpleStepContext context(OnnxModel model, List<String> nodes, Map<String, ?> extra, Dataset data, Path work) {
    return new SimpleStepContext(model, tasks(model, nodes, extra), data, work, 16);
  }
}
