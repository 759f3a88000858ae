package io.compactor.core.job;

import io.compactor.api.CompactorException;

/**
 * A job request Compactor refuses before running it: a field too long, a path outside the allowed
 * artifact roots (after following symbolic links), a URI scheme it cannot read. The message starts
 * with the field; the CLI exits 2 on it, the coordinator ends the job with {@code failed} (stage
 * {@code request}).
 */
public final class InvalidRequestException extends CompactorException {
  private static final long serialVersionUID = 1L;
  private final String field;

  /**
   * @param field the request field, e.g. {@code model}
   * @param problem what is wrong and how to fix it
   */
  public InvalidRequestException(String field, String problem) {
    super(field + ": " + problem);
    this.field = field;
  }

  /** @return the request field at fault, e.g. {@code output} */
  public String field() {
    return field;
  }
}
