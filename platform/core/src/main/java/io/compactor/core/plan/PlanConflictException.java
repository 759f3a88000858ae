package io.compactor.core.plan;

import io.compactor.api.CompactorException;

/**
 * A plan that cannot be built because a provider contradicts its capability: it would give an operator
 * two methods of one stage. The bundle's service properties must be fixed.
 */
public class PlanConflictException extends CompactorException {
  private static final long serialVersionUID = 1L;
  private final String capability;

  /**
   * @param capability the capability whose provider is inconsistent
   * @param message where, what is wrong, how to fix it
   */
  public PlanConflictException(String capability, String message) {
    super(message);
    this.capability = capability;
  }

  /** @return the capability whose provider is inconsistent */
  public String capability() {
    return capability;
  }
}
