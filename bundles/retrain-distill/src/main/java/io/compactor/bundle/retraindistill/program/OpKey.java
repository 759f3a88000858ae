package io.compactor.bundle.retraindistill.program;

import java.util.Objects;

/**
 * What a converter is registered for: an operator of a domain from the opset where its current semantics
 * began. The default ONNX domain is the empty string ({@code ai.onnx} is read as the same).
 *
 * @param domain the operator domain
 * @param opType the operator, e.g. {@code Conv}
 * @param sinceVersion the opset version where the converter's semantics begin
 */
public record OpKey(String domain, String opType, long sinceVersion) {
  public OpKey {
    Objects.requireNonNull(domain, "domain");
    Objects.requireNonNull(opType, "opType");
    domain = normalize(domain);
    if (sinceVersion < 1) {
      throw new IllegalArgumentException("sinceVersion: must be at least 1, got " + sinceVersion);
    }
  }

  /** @return {@code ""} for the default domain however it is spelled */
  static String normalize(String domain) {
    return domain.equals("ai.onnx") ? "" : domain;
  }

  @Override
  public String toString() {
    return "(" + (domain.isEmpty() ? "ai.onnx" : domain) + ", " + opType + ", " + sinceVersion + ")";
  }
}
