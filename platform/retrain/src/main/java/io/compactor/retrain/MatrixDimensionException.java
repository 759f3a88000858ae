package io.compactor.retrain;

/** Matrices whose shapes do not fit the operation; the message names the operation and the shapes. */
public final class MatrixDimensionException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** @param message the operation, the shapes involved and what they must satisfy */
  public MatrixDimensionException(String message) {
    super(message);
  }

  /**
   * @param condition what the shapes must satisfy
   * @param operation the operation, for the message
   * @param expectation the rule, for the message
   * @param matrices the matrices whose shapes the message lists
   * @throws MatrixDimensionException when {@code condition} is false
   */
  public static void require(boolean condition, String operation, String expectation, DMatrix... matrices) {
    if (!condition) {
      StringBuilder shapes = new StringBuilder();
      for (DMatrix m : matrices) {
        shapes.append(shapes.length() == 0 ? "" : ", ").append(m.shape());
      }
      throw new MatrixDimensionException(operation + ": " + expectation + ", got " + shapes);
    }
  }
}
