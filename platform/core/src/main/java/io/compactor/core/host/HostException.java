package io.compactor.core.host;

import io.compactor.api.CompactorException;

/** The OSGi host could not start or stop; the message says which part failed and what to check. */
public class HostException extends CompactorException {
  private static final long serialVersionUID = 1L;

  /** @param message where, what is wrong, how to fix it */
  public HostException(String message) {
    super(message);
  }

  /**
   * @param message where, what is wrong, how to fix it
   * @param cause the failure behind it
   */
  public HostException(String message, Throwable cause) {
    super(message, cause);
  }
}
