package io.compactor.bundle.prunefilter;

import io.compactor.api.Eligibility;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.tensor.ElementType;
import java.util.Arrays;
import java.util.Set;

/**
 * Structural filter-pruning eligibility of an operator as the producer of the channels to remove: a
 * constant float weight, 2-D kernels, no groups, and at least two output channels.
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
    return Eligibility.ELIGIBLE;
  }

  /** Conv: W[Cout, Cin, kh, kw]; Gemm: B[K, N] or B[N, K] with transB; MatMul: W[K, N]. */
  private static long outputChannels(Node node, long[] shape) {
    return switch (node.opType()) {
      case "Conv" -> shape[0];
      case "Gemm" -> node.attrInt("transB", 0) == 1 ? shape[0] : shape[1];
      default -> shape[1];
    };
  }
}
