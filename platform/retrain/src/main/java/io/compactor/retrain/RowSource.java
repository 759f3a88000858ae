package io.compactor.retrain;

/**
 * Rows of a layer's input (patches, for convolutions) or output, produced on demand in blocks so that a
 * large activation never has to exist as one {@code rows x cols} matrix. Row {@code r} of a layer's
 * input source and row {@code r} of its output source belong to the same output position.
 */
public interface RowSource {
  /** @return the number of rows */
  int rows();

  /** @return the number of columns */
  int cols();

  /**
   * Copies rows {@code [from, from + count)} into {@code dst}, row-major.
   *
   * @param from first row
   * @param count rows to copy
   * @param dst at least {@code count x cols()} elements; overwritten
   */
  void fill(int from, int count, float[] dst);
}
