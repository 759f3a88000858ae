package io.compactor.onnx;

/**
 * Calibration or evaluation data Compactor cannot use: a {@code .npy} file it cannot read, or data that
 * does not fit the model. The message names the file and what is wrong.
 */
public class DataException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String source;

  /**
   * @param source the file or directory concerned
   * @param problem what is wrong and how to fix it
   */
  public DataException(String source, String problem) {
    this(source, problem, null);
  }

  /**
   * @param source the file or directory concerned
   * @param problem what is wrong and how to fix it
   * @param cause the I/O failure behind it, or {@code null}
   */
  public DataException(String source, String problem, Throwable cause) {
    super(source + ": " + problem, cause);
    this.source = source;
  }

  /** @return the file or directory concerned */
  public String source() {
    return source;
  }
}
