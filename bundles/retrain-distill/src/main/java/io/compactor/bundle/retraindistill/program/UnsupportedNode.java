package io.compactor.bundle.retraindistill.program;

import java.util.Objects;

/**
 * A node the translator cannot run as a differentiable program, known before training starts.
 *
 * @param node the node name
 * @param opType its operator
 * @param domain its domain ({@code ""} for ONNX)
 * @param opset the opset of that domain in the model
 * @param reason why: no converter for the operator at that opset, or an attribute value it does not implement
 */
public record UnsupportedNode(String node, String opType, String domain, long opset, String reason) {
  public UnsupportedNode {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(opType, "opType");
    Objects.requireNonNull(domain, "domain");
    Objects.requireNonNull(reason, "reason");
  }

  @Override
  public String toString() {
    return "node '" + node + "' (" + opType + "): " + reason;
  }
}
