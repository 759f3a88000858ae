package io.compactor.api;

import java.util.Objects;

/**
 * An operator a method cannot run at all (e.g. retraining cannot train it), known before a job starts.
 *
 * @param node the node name
 * @param opType its op type, with the domain when not the default one
 * @param reason why, e.g. "no converter for ai.onnx NonZero"
 * @since 1.3.0
 */
public record UnsupportedOperator(String node, String opType, String reason) {
  public UnsupportedOperator {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(opType, "opType");
    Objects.requireNonNull(reason, "reason");
  }

  @Override
  public String toString() {
    return node + " (" + opType + "): " + reason;
  }
}
