package io.compactor.retrain.internal;

import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.tensor.Tensor;
import io.compactor.retrain.LinearLayer;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Whether a node can be viewed as a {@link LinearLayer} whose weights may be rewritten, and if not, why: the
 * reasons bundles put into their eligibility answers and skip lists.
 */
public final class LayerEligibility {
  private LayerEligibility() {}

  /** @see LinearLayer#unsupported(Graph, Node) */
  public static Optional<String> unsupported(Graph graph, Node node) {
    List<String> opTypes = LinearLayer.OP_TYPES;
    if (!node.domain().isEmpty() || !opTypes.contains(node.opType())) {
      return Optional.of("op type " + node.opType() + " is not a linear layer; supported: " + opTypes);
    }
    String w = node.input(1);
    if (node.opType().equals("MatMul") && graph.isConstant(node.input(0)) && !graph.isConstant(w)) {
      return Optional.of("the constant operand is input A; only MatMul(activation, constant weight B) is supported");
    }
    if (!graph.isConstant(w)) {
      return Optional.of(graph.producer(w).map(p -> "weight '" + w + "' is computed by " + p.opType() + " '"
          + p.name() + "', not a constant initializer").orElse("weight '" + w + "' is not a constant initializer"));
    }
    List<Node> users = graph.consumers(w);
    if (users.size() > 1) {
      return Optional.of("weight '" + w + "' is shared with " + users.stream().filter(u -> u != node)
          .map(Node::name).toList() + "; rewriting it for one layer would change the others");
    }
    if (graph.initializerTypeCode(w) != 1) {
      return Optional.of("weight '" + w + "' is not FLOAT");
    }
    long[] shape = graph.initializerShape(w).orElseThrow();
    return switch (node.opType()) {
      case "Conv" -> conv(graph, node, shape);
      case "ConvTranspose" -> convTranspose(graph, node, shape);
      default -> dense(graph, node, shape);
    };
  }

  private static Optional<String> conv(Graph graph, Node node, long[] shape) {
    if (shape.length != 4) {
      return Optional.of("Conv with a " + (shape.length - 2) + "-D kernel " + Arrays.toString(shape)
          + "; only 2-D kernels are supported");
    }
    long group = node.attrInt("group", 1);
    if (group != 1) {
      return Optional.of((shape[1] == 1 ? "depthwise" : "grouped") + " convolution (group = " + group
          + "); only group = 1 has a dense weight matrix");
    }
    Optional<String> attrs = ConvGeometry.unsupported(node, false);
    return attrs.isPresent() ? attrs : bias(graph, node, shape[0]);
  }

  private static Optional<String> convTranspose(Graph graph, Node node, long[] shape) {
    if (shape.length != 4) {
      return Optional.of("ConvTranspose with a " + (shape.length - 2) + "-D kernel " + Arrays.toString(shape)
          + "; only 2-D kernels are supported");
    }
    long group = node.attrInt("group", 1);
    if (group != 1) {
      return Optional.of("grouped transposed convolution (group = " + group + "); only group = 1 is supported");
    }
    Optional<String> attrs = ConvGeometry.unsupported(node, true);
    return attrs.isPresent() ? attrs : bias(graph, node, shape[1]);
  }

  private static Optional<String> dense(Graph graph, Node node, long[] shape) {
    if (shape.length != 2) {
      return Optional.of("weight of rank " + shape.length + " " + Arrays.toString(shape)
          + "; only rank-2 weights [K, N] are supported");
    }
    if (node.opType().equals("MatMul")) {
      return Optional.empty();
    }
    if (node.attrFloat("alpha", 1f) == 0f) {
      return Optional.of("Gemm with alpha = 0 ignores its weight");
    }
    long out = node.attrInt("transB", 0) != 0 ? shape[0] : shape[1];
    return bias(graph, node, out);
  }

  /** @return why input 2 cannot serve as a per-output bias of {@code out} values, if it cannot */
  private static Optional<String> bias(Graph graph, Node node, long out) {
    String b = node.input(2);
    if (b.isEmpty()) {
      return Optional.empty();
    }
    if (!graph.isConstant(b)) {
      return Optional.of("bias '" + b + "' is not a constant initializer");
    }
    long[] s = graph.initializerShape(b).orElseThrow();
    long n = Tensor.elementCount(s);
    boolean perOutput = (n == out || n == 1) && Arrays.stream(s).limit(Math.max(0, s.length - 1)).allMatch(d -> d == 1);
    if (!perOutput) {
      return Optional.of("bias '" + b + "' of shape " + Arrays.toString(s) + " is not one value per output ("
          + out + ")");
    }
    return Optional.empty();
  }
}
