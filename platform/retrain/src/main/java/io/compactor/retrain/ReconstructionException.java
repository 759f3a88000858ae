package io.compactor.retrain;

import java.util.Optional;

/**
 * A layer could not be reconstructed: its statistics are unusable (not positive definite even after
 * dampening, not finite) or its weights cannot be mapped. The message reads
 * {@code <where>: <what is wrong>, got <value>; <how to fix>}; bundles wrap it into their step failure.
 */
public class ReconstructionException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String layer;

  /**
   * @param layer the node being reconstructed, or {@code null} when not layer-specific
   * @param problem what is wrong, the offending value and how to fix it
   */
  public ReconstructionException(String layer, String problem) {
    this(layer, problem, null);
  }

  /**
   * @param layer the node being reconstructed, or {@code null} when not layer-specific
   * @param problem what is wrong, the offending value and how to fix it
   * @param cause the failure behind it
   */
  public ReconstructionException(String layer, String problem, Throwable cause) {
    super((layer == null ? "" : layer + ": ") + problem, cause);
    this.layer = layer;
  }

  /** @return the node concerned, if the failure is layer-specific */
  public Optional<String> layer() {
    return Optional.ofNullable(layer);
  }
}
