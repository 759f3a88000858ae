package io.compactor.core.plan;

import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import java.util.Optional;
import java.util.Set;

/**
 * Which operators Compactor can compress at all: {@code Conv}, {@code ConvTranspose}, {@code Gemm} and
 * {@code MatMul} in the default ONNX domain whose weight (input 1) is a constant initializer, and (a Compactor
 * extension, quantization only and opt-in) {@code Gather} on a constant table: an embedding table. Whether a
 * given method accepts one is the method's own eligibility check. Stateless.
 */
public final class Compressible {
  /** The op types that carry a weight Compactor can compress. */
  public static final Set<String> TYPES = Set.of("Conv", "ConvTranspose", "Gemm", "MatMul");
  /** The op type of embedding tables: its table (input 0) is the weight; INT8 only, when a configuration opts in. */
  public static final String TABLE = "Gather";

  private Compressible() {}

  /** @return whether the node has one of {@link #TYPES}, so it belongs in a plan */
  public static boolean candidate(Node node) {
    return TYPES.contains(node.opType()) && node.domain().isEmpty();
  }

  /**
   * @param graph the graph, Constant nodes already normalized to initializers
   * @param node any node
   * @return whether the node belongs in a plan: one of {@link #TYPES}, or a Gather on a constant table
   */
  public static boolean candidate(Graph graph, Node node) {
    return candidate(node) || table(graph, node);
  }

  /** @return whether the node is a Gather of the ONNX domain reading a constant table (input 0) */
  public static boolean table(Graph graph, Node node) {
    return node.opType().equals(TABLE) && node.domain().isEmpty() && !node.inputs().isEmpty()
        && graph.isConstant(node.input(0));
  }

  /**
   * @param graph the graph, Constant nodes already normalized to initializers
   * @param node any node
   * @return why the node cannot be compressed, or empty when it can
   */
  public static Optional<String> whyNot(Graph graph, Node node) {
    if (node.opType().equals(TABLE) && node.domain().isEmpty()) {
      return table(graph, node) ? Optional.empty() : Optional.of("it is a Gather whose data input '"
          + (node.inputs().isEmpty() ? "" : node.input(0)) + "' is not a constant table (only embedding tables, "
          + "Gather on a constant initializer, are quantized)");
    }
    if (!TYPES.contains(node.opType())) {
      return Optional.of("it is a " + node.opType()
          + " (Compactor compresses Conv, ConvTranspose, Gemm and MatMul with a constant weight, and Gather on a "
          + "constant table)");
    }
    if (!node.domain().isEmpty()) {
      return Optional.of("it is a " + node.opType() + " of domain " + node.domain() + ", not of the ONNX domain");
    }
    String weight = node.input(1);
    if (weight.isEmpty()) {
      return Optional.of("it has no weight input");
    }
    if (!graph.isConstant(weight)) {
      String what = graph.producer(weight).map(p -> "computed by " + p.opType() + " node '" + p.name() + "'")
          .orElse(graph.hasInitializer(weight) ? "an initializer callers may override (also a graph input)"
              : "a graph input");
      return Optional.of("its weight input '" + weight + "' is not a constant initializer (it is " + what + ")");
    }
    return Optional.empty();
  }
}
