package io.compactor.api;

/**
 * No bundle provides a capability a job needs, or its only provider cannot take new work. Thrown by the
 * host; the message names the capability and how to make it available.
 *
 * @since 1.1.0
 */
public class ProviderMissingException extends CompactorException {
  private static final long serialVersionUID = 1L;
  private final String capability;

  /**
   * @param capability the capability without a usable provider, e.g. {@value Capabilities#SPARSITY_2OF4}
   * @param problem why there is none and what to do, e.g. "no bundle provides it; drop one into bundles/"
   */
  public ProviderMissingException(String capability, String problem) {
    super("capability " + capability + ": " + problem);
    this.capability = capability;
  }

  /** @return the capability without a usable provider */
  public String capability() {
    return capability;
  }
}
