package io.compactor.api;

import java.util.Optional;

/** A compression step failed. Thrown by bundles; the host adds the provider and version to events. */
public class StepException extends CompactorException {
  private static final long serialVersionUID = 1L;
  private final String capability;
  private final String layer;

  /**
   * @param capability the capability whose step failed
   * @param layer the node being compressed, or {@code null} if not layer-specific
   * @param problem what went wrong and what the user can do
   */
  public StepException(String capability, String layer, String problem) {
    this(capability, layer, problem, null);
  }

  /**
   * @param capability the capability whose step failed
   * @param layer the node being compressed, or {@code null} if not layer-specific
   * @param problem what went wrong and what the user can do
   * @param cause the failure behind it
   */
  public StepException(String capability, String layer, String problem, Throwable cause) {
    super(capability + (layer == null ? "" : " on " + layer) + ": " + problem, cause);
    this.capability = capability;
    this.layer = layer;
  }

  /** @return the capability whose step failed */
  public String capability() {
    return capability;
  }

  /** @return the node being compressed, if the failure is layer-specific */
  public Optional<String> layer() {
    return Optional.ofNullable(layer);
  }
}
