package io.compactor.api;

/** The root of Compactor's own unchecked exceptions. The message says where, what and how to fix. */
public class CompactorException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** @param message where, what is wrong, how to fix it */
  public CompactorException(String message) {
    super(message);
  }

  /**
   * @param message where, what is wrong, how to fix it
   * @param cause the failure behind it
   */
  public CompactorException(String message, Throwable cause) {
    super(message, cause);
  }
}
