package io.compactor.retrain.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.retrain.DMatrix;
import io.compactor.retrain.Fixtures;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class GramOpsTest {
  /** Relative to the magnitude of the entries, as the sums are reordered. */
  private static final double TOLERANCE = 1e-10;

  @Test
  void blockwiseAccumulationEqualsXtXComputedDirectly() {
    int rows = 150;
    int cols = 7;   // not a multiple of the 4-wide tiles
    float[] x = Fixtures.gaussian(new Random(6), rows * cols);
    DMatrix h = DMatrix.zeros(cols, cols);
    for (int from = 0; from < rows; from += 40) {
      int n = Math.min(40, rows - from);
      GramOps.accumulate(Arrays.copyOfRange(x, from * cols, (from + n) * cols), n, cols, h);
    }
    DMatrix expected = Fixtures.gram(x, rows, cols);
    assertTrue(Fixtures.maxAbsDiff(expected, h) < TOLERANCE * rows, "H differs by " + Fixtures.maxAbsDiff(expected, h));
  }

  @Test
  void largeBlocksTakeTheParallelPathWithTheSameResult() {
    int rows = 2400;
    int cols = 123;
    assertTrue((long) rows * cols * cols / 2 > GramOps.PARALLEL_THRESHOLD);
    float[] x = Fixtures.gaussian(new Random(7), rows * cols);
    DMatrix h = DMatrix.zeros(cols, cols);
    GramOps.accumulate(x, rows, cols, h);
    assertTrue(Fixtures.maxAbsDiff(Fixtures.gram(x, rows, cols), h) < TOLERANCE * rows);
  }

  @Test
  void crossProductsEqualXtYComputedDirectly() {
    Random r = new Random(8);
    int rows = 90;
    float[] x = Fixtures.gaussian(r, rows * 5);
    float[] y = Fixtures.gaussian(r, rows * 6);
    DMatrix c = DMatrix.zeros(5, 6);
    GramOps.accumulateCross(x, rows, 5, y, 6, c);
    for (int i = 0; i < 5; i++) {
      for (int j = 0; j < 6; j++) {
        double s = 0;
        for (int k = 0; k < rows; k++) {
          s += (double) x[k * 5 + i] * y[k * 6 + j];
        }
        assertEquals(s, c.get(i, j), TOLERANCE * rows);
      }
    }
  }

  @Test
  void tiledProductEqualsTheDefinition() {
    Random r = new Random(9);
    DMatrix a = Fixtures.gaussian(r, 7, 13);
    DMatrix b = Fixtures.gaussian(r, 5, 13);
    assertTrue(Fixtures.maxAbsDiff(Fixtures.multiply(a, b.transpose()), GramOps.multTransB(a, b)) < TOLERANCE);
  }

  @Test
  void columnSumsAndSquares() {
    float[] x = {1, 2, 3, 4, 5, 6};
    double[] sums = new double[3];
    GramOps.accumulateColumnSums(x, 2, 3, sums);
    assertEquals(Arrays.toString(new double[] {5, 7, 9}), Arrays.toString(sums));
    assertEquals(91, GramOps.sumOfSquares(x, 6));
  }
}
