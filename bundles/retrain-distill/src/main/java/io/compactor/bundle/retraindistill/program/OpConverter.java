package io.compactor.bundle.retraindistill.program;

import ai.djl.ndarray.NDList;
import io.compactor.onnx.graph.Node;
import java.util.Optional;

/**
 * Runs one ONNX operator on NDArrays. A converter reads its attributes from the node on each call (they are
 * few and cheap to read) and returns the node's outputs in order; it must only use differentiable NDArray
 * operations on float values so gradients reach the initializers.
 */
@FunctionalInterface
public interface OpConverter {
  /**
   * @param node the node being run
   * @param inputs its input values ({@link OpInputs#has} tells an omitted optional input)
   * @param ctx the model, opset and the manager the outputs belong to
   * @return the outputs, one per node output in order (trailing unused outputs may be missing)
   */
  NDList apply(Node node, OpInputs inputs, OpContext ctx);

  /**
   * Checked for every node before a program is built, so a model that cannot be trained is known up front.
   *
   * @return why this converter cannot run this node (an attribute value it does not implement), or empty
   */
  default Optional<String> unsupported(Node node) {
    return Optional.empty();
  }
}
