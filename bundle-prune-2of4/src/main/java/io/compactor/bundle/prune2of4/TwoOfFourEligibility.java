package io.compactor.bundle.prune2of4;

import io.compactor.api.Eligibility;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.retrain.LinearLayer;
import java.util.Optional;
import java.util.Set;

/**
 * Which operators can take 2:4 sparsity, and why not. Policy for input channel counts: a layer whose Cin
 * (K for Gemm and MatMul) is not a multiple of 4 is eligible and its last group per position is treated as
 * zero-padded to 4, keeping at most 2 real weights (AMCT's policy); a layer with Cin ≤ 2 is ineligible,
 * because every padded group already holds at most 2 weights and nothing would be pruned.
 */
final class TwoOfFourEligibility {
  static final Set<String> OP_TYPES = Set.of("Conv", "ConvTranspose", "Gemm", "MatMul");

  private TwoOfFourEligibility() {}

  /**
   * @param graph the graph, constants normalized
   * @param node the operator
   * @return eligible, or the reason users read in the plan
   */
  static Eligibility check(Graph graph, Node node) {
    if (!OP_TYPES.contains(node.opType()) || !node.domain().isEmpty()) {
      return Eligibility.ineligible("op type " + node.opType() + " is not handled by 2:4 sparsity; it handles "
          + "Conv, ConvTranspose, Gemm and MatMul");
    }
    Optional<String> unsupported = LinearLayer.unsupported(graph, node);
    if (unsupported.isPresent()) {
      return Eligibility.ineligible(unsupported.get());
    }
    LinearLayer layer = LinearLayer.of("model", graph, node);
    if (layer.channels() <= 2) {
      return Eligibility.ineligible("only " + layer.channels() + " input channel" + (layer.channels() == 1 ? "" : "s")
          + " (Cin ≤ 2): every group of 4 already holds at most 2 weights, nothing to prune");
    }
    return Eligibility.ELIGIBLE;
  }
}
