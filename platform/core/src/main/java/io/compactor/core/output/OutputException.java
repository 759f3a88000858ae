package io.compactor.core.output;

/**
 * A job's outputs could not be written or measured. {@link #stage()} is the stage the {@code failed} event
 * names: {@code export} for files that cannot be written, {@code io} for files that cannot be read back.
 */
public final class OutputException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String stage;

  OutputException(String stage, String reason, Throwable cause) {
    super(reason, cause);
    this.stage = stage;
  }

  /** @return {@code export} or {@code io} */
  public String stage() {
    return stage;
  }
}
