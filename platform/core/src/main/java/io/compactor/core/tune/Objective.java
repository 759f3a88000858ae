package io.compactor.core.tune;

import java.util.Locale;

/** What the search maximizes under the budget. */
public enum Objective {
  /** the smallest deploy file */
  SIZE,
  /** the fastest deploy model on one batch in ONNX Runtime */
  LATENCY,
  /** the largest share of compressible weights removed or zero */
  SPARSITY;

  /** @return the name used on the command line and in reports */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * @param text {@code size}, {@code latency} or {@code sparsity}
   * @return the objective
   * @throws IllegalArgumentException naming the allowed values
   */
  public static Objective of(String text) {
    for (Objective o : values()) {
      if (o.id().equals(text)) {
        return o;
      }
    }
    throw new IllegalArgumentException("--objective: unknown objective '" + text + "'; use size, latency or sparsity");
  }

  /** @return the verified candidate's score: lower is better */
  double score(Verified v) {
    return switch (this) {
      case SIZE -> v.deployBytes();
      case LATENCY -> v.latencyMs();
      case SPARSITY -> -v.candidate().sparsity();
    };
  }
}
