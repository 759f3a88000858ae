package io.compactor.api;

import java.util.Map;
import java.util.Objects;

/**
 * What a step did to one operator, for the report: e.g. {@code sparsity}, {@code error_before},
 * {@code error_after}, {@code scale}. Values must be JSON-friendly (Boolean, Number, String, lists and
 * maps of those).
 *
 * @param node the ONNX node name
 * @param metrics metric name to value; copied
 */
public record LayerResult(String node, Map<String, Object> metrics) {
  public LayerResult {
    Objects.requireNonNull(node, "node");
    metrics = Map.copyOf(metrics);
  }
}
