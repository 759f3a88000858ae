package io.compactor.core.artifact;

/**
 * An artifact that cannot be read or written, with a message that names the request field and the URI
 * and says what is wrong (no such bucket or key, access denied, endpoint unreachable).
 */
public final class ArtifactException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * @param field the request field ({@code model}, {@code output}, ...)
   * @param uri the artifact's URI
   * @param what what is wrong
   * @param cause the store's exception, if any
   */
  public ArtifactException(String field, String uri, String what, Throwable cause) {
    super(field + ": " + uri + ": " + what, cause);
  }
}
