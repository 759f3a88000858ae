package io.compactor.api;

import java.util.Objects;

/**
 * One operator a step must compress, with the settings the plan resolved for it.
 *
 * @param node the ONNX node name
 * @param opType the ONNX op type, e.g. {@code Conv}
 * @param settings the method's resolved settings for this node
 */
public record LayerTask(String node, String opType, Settings settings) {
  public LayerTask {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(opType, "opType");
    Objects.requireNonNull(settings, "settings");
  }
}
