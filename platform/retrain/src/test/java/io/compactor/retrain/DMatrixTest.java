package io.compactor.retrain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class DMatrixTest {
  private static final DMatrix W = DMatrix.wrap(2, 3, new double[] {1, 2, 3, 4, 5, 6});

  @Test
  void aColumnAppendedAndTakenOffAgainGivesTheMatrixBack() {
    DMatrix withBias = W.withColumn(new double[] {7, 8});
    assertEquals(DMatrix.wrap(2, 4, new double[] {1, 2, 3, 7, 4, 5, 6, 8}), withBias);
    assertEquals(W, withBias.leadingColumns(3));
    assertEquals(DMatrix.wrap(2, 4, new double[] {1, 2, 3, 0, 4, 5, 6, 0}), W.withColumn(null));
  }

  @Test
  void theDiagonalOfARectangularMatrixStopsAtItsShorterSide() {
    assertArrayEquals(new double[] {1, 5}, W.diagonal());
    assertArrayEquals(new double[] {1, 5}, W.transpose().diagonal());
  }
}
