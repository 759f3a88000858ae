package io.compactor.onnx.runtime;

import io.compactor.onnx.ModelException;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.graph.ValueInfo;
import io.compactor.onnx.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Captures intermediate tensors of a model on a data set by exposing them as extra graph outputs of a
 * copy of the model. The model passed in is not changed.
 */
public final class ActivationCapture {
  private ActivationCapture() {}

  /**
   * Streams captured values batch by batch, so large activations need not all be held at once.
   *
   * @param model the model
   * @param values names of values to capture: graph inputs, node outputs or outputs
   * @param data samples to run
   * @param batchSize samples per run
   * @param sink receives the sample range {@code [from, to)} and the captured tensors of each batch
   */
  public static void stream(OnnxModel model, List<String> values, Dataset data, int batchSize,
      BiConsumer<int[], Map<String, Tensor>> sink) {
    OnnxModel probe = withOutputs(model, values);
    List<String> computed = values.stream().filter(v -> !data.inputNames().contains(v)).toList();
    try (ModelSession session = ModelSession.open(probe)) {
      for (int[] range : data.batchRanges(batchSize)) {
        Map<String, Tensor> feed = data.batch(range[0], range[1]);
        Map<String, Tensor> out = computed.isEmpty() ? Map.of() : session.run(feed, computed);
        Map<String, Tensor> captured = new LinkedHashMap<>();
        for (String v : values) {
          captured.put(v, feed.containsKey(v) ? feed.get(v) : out.get(v));
        }
        sink.accept(range, captured);
      }
    }
  }

  /** @return every requested value over the whole data set, concatenated along the sample axis */
  public static Map<String, Tensor> capture(OnnxModel model, List<String> values, Dataset data, int batchSize) {
    Map<String, List<Tensor>> parts = new LinkedHashMap<>();
    values.forEach(v -> parts.put(v, new ArrayList<>()));
    stream(model, values, data, batchSize, (range, batch) -> batch.forEach((k, t) -> parts.get(k).add(t)));
    Map<String, Tensor> out = new LinkedHashMap<>();
    parts.forEach((k, list) -> out.put(k, Tensor.concat(list)));
    return out;
  }

  /**
   * @return a copy of {@code model} whose graph outputs also include {@code values}; their types come
   *     from the graph's value infos where declared and are inferred by ONNX Runtime otherwise
   */
  public static OnnxModel withOutputs(OnnxModel model, List<String> values) {
    OnnxModel copy = model.copy(model.source() + " (capture)");
    Graph g = copy.graph();
    for (String v : values) {
      boolean known = g.producer(v).isPresent() || g.runtimeInputs().stream().anyMatch(i -> i.name().equals(v))
          || g.hasInitializer(v);
      if (!known) {
        throw new ModelException(model.source(), v, "no such value in the graph; capture takes node output names");
      }
      if (g.producer(v).isPresent()) {
        g.addOutput(g.valueInfo(v).orElse(ValueInfo.named(v)));
      }
    }
    return copy;
  }
}
