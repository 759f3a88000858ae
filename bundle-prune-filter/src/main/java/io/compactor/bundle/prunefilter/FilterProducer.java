package io.compactor.bundle.prunefilter;

import io.compactor.api.Eligibility;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.tensor.ElementType;
import io.compactor.onnx.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Structural filter-pruning eligibility of an operator as the producer of the channels to remove: a
 * constant float weight of its own, 2-D kernels, no groups, a per-filter bias, and at least two output
 * channels. Whether the channels can be followed through the graph is {@link ChannelPropagation}'s part.
 */
final class FilterProducer {
  private FilterProducer() {}

  /**
   * @param opTypes the op types the method handles
   * @return eligible, or why the operator's filters cannot be removed
   */
  static Eligibility check(Graph graph, Node node, Set<String> opTypes) {
    if (!opTypes.contains(node.opType())) {
      return Eligibility.ineligible("op type " + node.opType() + " is not filter-pruned; sparsity.filter handles "
          + opTypes.stream().sorted().toList());
    }
    if (node.inputs().size() < 2 || !graph.isConstant(node.input(1))) {
      return Eligibility.ineligible(node.opType() + " has no constant weight as input 1 (inputs " + node.inputs()
          + "); only operators whose weight is an initializer are pruned");
    }
    String w = node.input(1);
    if (graph.initializerTypeCode(w) != ElementType.FLOAT.onnxCode()) {
      return Eligibility.ineligible("weight " + w + " is " + ElementType.onnxName(graph.initializerTypeCode(w))
          + ", not FLOAT; prune before quantizing");
    }
    long[] shape = graph.initializerShape(w).orElseThrow();
    int expectedRank = node.opType().equals("Conv") ? 4 : 2;
    if (shape.length != expectedRank) {
      return Eligibility.ineligible("weight " + w + " has shape " + Arrays.toString(shape) + "; "
          + (expectedRank == 4 ? "only 2-D convolutions (4-D weights) are filter-pruned" : "a 2-D weight is required"));
    }
    long group = node.opType().equals("Conv") ? node.attrInt("group", 1) : 1;
    if (group != 1) {
      return Eligibility.ineligible("grouped or depthwise convolution (group = " + group
          + "): its filters cannot be removed independently of its input channels");
    }
    long filters = outputChannels(node, shape);
    if (filters < 2) {
      return Eligibility.ineligible("only " + filters + " output channel; nothing to prune");
    }
    List<String> sharers = graph.consumers(w).stream().filter(n -> n != node).map(Node::name).toList();
    if (!sharers.isEmpty()) {
      return Eligibility.ineligible("weight " + w + " is shared with " + sharers
          + "; removing filters for one node would change the others");
    }
    if (node.opType().equals("Gemm") && node.attrInt("transA", 0) != 0) {
      return Eligibility.ineligible("Gemm with transA = 1 reads its input transposed; only transA = 0 is pruned");
    }
    return checkBias(graph, node, filters);
  }

  /** Conv's and Gemm's optional input 2 must be a constant of its own, one value per filter (Gemm: or one). */
  private static Eligibility checkBias(Graph graph, Node node, long filters) {
    if (node.opType().equals("MatMul") || node.inputs().size() < 3 || node.input(2).isEmpty()) {
      return Eligibility.ELIGIBLE;
    }
    String b = node.input(2);
    if (!graph.isConstant(b) || graph.initializerTypeCode(b) != ElementType.FLOAT.onnxCode()) {
      return Eligibility.ineligible("bias " + b + " is not a constant FLOAT initializer");
    }
    if (graph.consumers(b).size() > 1) {
      return Eligibility.ineligible("bias " + b + " is shared with other nodes");
    }
    long[] s = graph.initializerShape(b).orElseThrow();
    long n = Tensor.elementCount(s);
    boolean perFilter = n == filters && s[s.length - 1] == filters;
    if (!perFilter && !(n == 1 && node.opType().equals("Gemm"))) {
      return Eligibility.ineligible("bias " + b + " of shape " + Arrays.toString(s) + " is not one value per filter ("
          + filters + ")");
    }
    return Eligibility.ELIGIBLE;
  }

  /** @return the axis of the node's weight that holds its filters */
  static int filterAxis(Node node) {
    return switch (node.opType()) {
      case "Conv" -> 0;
      case "Gemm" -> node.attrInt("transB", 0) == 1 ? 0 : 1;
      default -> 1;
    };
  }

  /** @return the number of filters of an eligible producer */
  static int filters(Graph graph, Node node) {
    return Math.toIntExact(outputChannels(node, graph.initializerShape(node.input(1)).orElseThrow()));
  }

  /** Conv: W[Cout, Cin, kh, kw]; Gemm: B[K, N] or B[N, K] with transB; MatMul: W[K, N]. */
  private static long outputChannels(Node node, long[] shape) {
    return shape[filterAxis(node)];
  }
}
