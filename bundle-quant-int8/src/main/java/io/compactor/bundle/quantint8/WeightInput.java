package io.compactor.bundle.quantint8;

import io.compactor.api.Eligibility;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.tensor.ElementType;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;

/**
 * Structural INT8 eligibility: the operator reads an activation as input 0 and a constant float weight of
 * rank two or more, used by no other node, as input 1, in a form ONNX Runtime's INT8 kernels take.
 */
final class WeightInput {
  private WeightInput() {}

  /**
   * @param opTypes the op types the method handles
   * @return eligible, or why the operator cannot be quantized
   */
  static Eligibility check(Graph graph, Node node, Set<String> opTypes) {
    if (!opTypes.contains(node.opType()) || !node.domain().isEmpty()) {
      return Eligibility.ineligible("op type " + node.opType() + " is not quantized; quant.int8 handles "
          + opTypes.stream().sorted().toList());
    }
    if (node.inputs().size() < 2 || !graph.isConstant(node.input(1))) {
      if (node.opType().equals("MatMul") && node.inputs().size() == 2 && graph.isConstant(node.input(0))) {
        return Eligibility.ineligible("MatMul's constant operand is input A (W·x); only x·W with a constant B is "
            + "quantized");
      }
      return Eligibility.ineligible(node.opType() + " has no constant weight input (inputs " + node.inputs()
          + "); only operators whose weight is an initializer are quantized");
    }
    String w = node.input(1);
    if (graph.initializerTypeCode(w) != ElementType.FLOAT.onnxCode()) {
      return Eligibility.ineligible("weight " + w + " is " + ElementType.onnxName(graph.initializerTypeCode(w))
          + ", not FLOAT; the operator is already quantized or not a float layer");
    }
    long[] shape = graph.initializerShape(w).orElseThrow();
    if (shape.length < 2) {
      return Eligibility.ineligible("weight " + w + " has shape " + Arrays.toString(shape)
          + "; a weight of rank 2 or more is required");
    }
    if (!node.opType().startsWith("Conv") && shape.length != 2) {
      return Eligibility.ineligible("weight " + w + " has shape " + Arrays.toString(shape) + "; " + node.opType()
          + " is quantized with a rank-2 weight only");
    }
    if (graph.consumers(w).size() > 1) {
      return Eligibility.ineligible("weight " + w + " is shared with " + graph.consumers(w).stream()
          .filter(n -> n != node).map(Node::name).toList() + "; quantizing it for one layer would change the others");
    }
    if (node.opType().equals("Gemm") && node.attrInt("transA", 0) != 0) {
      return Eligibility.ineligible("Gemm with transA = 1: the activation is read transposed, which ONNX Runtime's "
          + "INT8 Gemm does not take; transpose the input explicitly");
    }
    if (graph.isConstant(node.input(0))) {
      return Eligibility.ineligible("input " + node.input(0) + " is a constant, not an activation");
    }
    return Eligibility.ELIGIBLE;
  }

  /** @return the ONNX weight axis holding output channels: 1 for ConvTranspose, Gemm without transB, MatMul */
  static int outputChannelAxis(Node node) {
    return switch (node.opType()) {
      case "Conv" -> 0;
      case "Gemm" -> node.attrInt("transB", 0) != 0 ? 0 : 1;
      default -> 1;
    };
  }

  /** @return the axis of the node's activation input that holds channels: 1 for convolutions, last otherwise */
  static Optional<Integer> activationChannelAxis(Node node) {
    return node.opType().startsWith("Conv") ? Optional.of(1) : Optional.empty();
  }
}
