package io.compactor.bundle.quantint8;

import io.compactor.api.Eligibility;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.tensor.ElementType;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;

/** Structural INT8 eligibility: the operator has a constant float weight of rank two or more. */
final class WeightInput {
  private WeightInput() {}

  /**
   * @param opTypes the op types the method handles
   * @return eligible, or why the operator cannot be quantized
   */
  static Eligibility check(Graph graph, Node node, Set<String> opTypes) {
    if (!opTypes.contains(node.opType())) {
      return Eligibility.ineligible("op type " + node.opType() + " is not quantized; quant.int8 handles "
          + opTypes.stream().sorted().toList());
    }
    Optional<String> weight = weightName(graph, node);
    if (weight.isEmpty()) {
      return Eligibility.ineligible(node.opType() + " has no constant weight input (inputs " + node.inputs()
          + "); only operators whose weight is an initializer are quantized");
    }
    String w = weight.get();
    if (graph.initializerTypeCode(w) != ElementType.FLOAT.onnxCode()) {
      return Eligibility.ineligible("weight " + w + " is " + ElementType.onnxName(graph.initializerTypeCode(w))
          + ", not FLOAT; the operator is already quantized or not a float layer");
    }
    long[] shape = graph.initializerShape(w).orElseThrow();
    if (shape.length < 2) {
      return Eligibility.ineligible("weight " + w + " has shape " + Arrays.toString(shape)
          + "; a weight of rank 2 or more is required");
    }
    return Eligibility.ELIGIBLE;
  }

  /** The weight is input 1 (Conv, ConvTranspose, Gemm; MatMul x·W) or, for MatMul W·x, input 0. */
  private static Optional<String> weightName(Graph graph, Node node) {
    if (node.inputs().size() < 2) {
      return Optional.empty();
    }
    if (graph.isConstant(node.input(1))) {
      return Optional.of(node.input(1));
    }
    if (node.opType().equals("MatMul") && graph.isConstant(node.input(0))) {
      return Optional.of(node.input(0));
    }
    return Optional.empty();
  }
}
