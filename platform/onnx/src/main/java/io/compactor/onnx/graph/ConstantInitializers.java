package io.compactor.onnx.graph;

import io.compactor.onnx.tensor.Tensor;
import java.util.Optional;

/**
 * Turns numeric {@code Constant} nodes into initializers of the same name, as exporters such as Paddle2ONNX
 * keep weights in Constant nodes, so every later pass finds weights in one place.
 */
final class ConstantInitializers {
  private ConstantInitializers() {}

  /** @see Graph#normalizeConstants() */
  static int normalize(Graph graph) {
    int converted = 0;
    for (Node n : graph.nodes()) {
      if (!n.opType().equals("Constant") || !n.domain().isEmpty() || n.outputs().size() != 1) {
        continue;
      }
      Optional<Tensor> value = constantValue(n);
      if (value.isPresent()) {
        graph.removeNode(n);
        graph.setInitializer(n.output(0), value.get());
        converted++;
      }
    }
    graph.inputList().removeIf(v -> graph.hasInitializer(v.name()));
    return converted;
  }

  private static Optional<Tensor> constantValue(Node n) {
    if (n.hasAttribute("value")) {
      return n.attrTensor("value");
    }
    if (n.hasAttribute("value_float")) {
      return Optional.of(Tensor.scalar(n.attrFloat("value_float", 0f)));
    }
    if (n.hasAttribute("value_int")) {
      return Optional.of(Tensor.ofInt64s(new long[0], n.attrInt("value_int", 0)));
    }
    Optional<float[]> floats = n.attrFloats("value_floats");
    if (floats.isPresent()) {
      return Optional.of(Tensor.ofFloats(new long[] {floats.get().length}, floats.get()));
    }
    return n.attrInts("value_ints").map(v -> Tensor.ofInt64s(new long[] {v.length}, v));
  }
}
