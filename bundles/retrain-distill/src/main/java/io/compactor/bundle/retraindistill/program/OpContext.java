package io.compactor.bundle.retraindistill.program;

import ai.djl.ndarray.NDManager;
import io.compactor.onnx.ModelException;
import io.compactor.onnx.graph.Node;
import java.util.Objects;

/**
 * What a converter may use besides its node and inputs.
 *
 * @param manager the manager of the current forward pass; new constants belong to it
 * @param model the model's source, for messages
 * @param opset the opset of the node's domain
 */
public record OpContext(NDManager manager, String model, long opset) {
  public OpContext {
    Objects.requireNonNull(manager, "manager");
    Objects.requireNonNull(model, "model");
  }

  /** @return an exception naming the node and its operator, to throw */
  public ModelException fail(Node node, String problem) {
    return new ModelException(model, "node '" + node.name() + "' (" + node.opType() + ")", problem);
  }
}
