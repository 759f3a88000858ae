package io.compactor.bundle.quantint8;

import io.compactor.api.Capabilities;
import io.compactor.api.StepException;
import io.compactor.onnx.ModelException;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.tensor.ElementType;
import io.compactor.onnx.tensor.Tensor;
import io.compactor.retrain.NmPattern;
import io.compactor.retrain.NmPatternCheck;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The 2:4 pattern a sparsity step left must survive INT8: found on the float weights before quantization, then
 * proven on the fake-quant weights by the step and on the int8 codes of the deploy model by the export (zero
 * quantizes to code 0 on a symmetric grid, so a violation is a defect of this bundle).
 */
final class TwoOfFourProof {
  private TwoOfFourProof() {}

  /** @return the layers among {@code nodes} whose float weight holds the 2:4 pattern with at least one zero */
  static List<String> holding(Graph g, Collection<String> nodes) {
    return nodes.stream().filter(n -> g.node(n).map(node -> holds(g, node)).orElse(false)).toList();
  }

  private static boolean holds(Graph g, Node node) {
    Optional<Tensor> w = g.initializer(node.input(1));
    return w.isPresent() && w.get().type() == ElementType.FLOAT && hasZero(w.get().floats())
        && NmPatternCheck.firstViolation(g, node, NmPattern.M4N2).isEmpty();
  }

  private static boolean hasZero(float[] values) {
    for (float v : values) {
      if (v == 0) {
        return true;
      }
    }
    return false;
  }

  /**
   * @param model the fake-quant or the deploy model
   * @param nodes the layers that held the pattern
   * @throws StepException naming the first weight group that lost it
   */
  static void require(OnnxModel model, Collection<String> nodes) {
    try {
      NmPatternCheck.require(model, nodes, NmPattern.M4N2);
    } catch (ModelException e) {
      throw new StepException(Capabilities.QUANT_INT8, e.element().orElse(null),
          "INT8 broke the 2:4 pattern of the sparsity step: " + e.getMessage(), e);
    }
  }
}
