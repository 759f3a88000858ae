package io.compactor.retrain.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.retrain.DMatrix;
import io.compactor.retrain.Fixtures;
import io.compactor.retrain.MatrixDimensionException;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CholeskyOpsTest {
  private static final double TOLERANCE = 1e-9;

  @Test
  void factorTimesItsTransposeIsTheMatrix() {
    DMatrix a = Fixtures.spd(new Random(1), 13);
    DMatrix l = a.copy();
    assertTrue(CholeskyOps.decompose(l));
    for (int i = 0; i < 13; i++) {
      for (int j = i + 1; j < 13; j++) {
        assertEquals(0, l.get(i, j), "upper triangle of L at " + i + "," + j);
      }
    }
    assertTrue(Fixtures.maxAbsDiff(a, Fixtures.multiply(l, l.transpose())) < TOLERANCE * 13);
  }

  @Test
  void indefiniteMatrixIsReportedNotFactored() {
    DMatrix a = DMatrix.wrap(2, 2, new double[] {1, 2, 2, 1});
    assertFalse(CholeskyOps.decompose(a));
    DMatrix nan = DMatrix.wrap(1, 1, new double[] {Double.NaN});
    assertFalse(CholeskyOps.decompose(nan));
  }

  @Test
  void solveInvertsTheMatrix() {
    Random r = new Random(2);
    DMatrix a = Fixtures.spd(r, 9);
    DMatrix x = Fixtures.gaussian(r, 9, 3);
    DMatrix b = Fixtures.multiply(a, x);
    DMatrix l = a.copy();
    assertTrue(CholeskyOps.decompose(l));
    CholeskyOps.solve(l, b);
    assertTrue(Fixtures.maxAbsDiff(x, b) < TOLERANCE, "solution differs by " + Fixtures.maxAbsDiff(x, b));
  }

  @Test
  void inverseTimesMatrixIsIdentity() {
    DMatrix a = Fixtures.spd(new Random(3), 11);
    DMatrix l = a.copy();
    CholeskyOps.decompose(l);
    DMatrix inv = CholeskyOps.inverse(l);
    assertTrue(Fixtures.maxAbsDiff(DMatrix.identity(11), Fixtures.multiply(inv, a)) < TOLERANCE);
  }

  @Test
  void upperFactorOfInverseReproducesTheInverse() {
    DMatrix a = Fixtures.spd(new Random(4), 10);
    DMatrix l = a.copy();
    CholeskyOps.decompose(l);
    DMatrix u = CholeskyOps.upperFactorOfInverse(l);
    for (int i = 0; i < 10; i++) {
      for (int j = 0; j < i; j++) {
        assertEquals(0, u.get(i, j), "lower triangle of U at " + i + "," + j);
      }
    }
    DMatrix inv = CholeskyOps.inverse(l);
    assertTrue(Fixtures.maxAbsDiff(inv, Fixtures.multiply(u.transpose(), u)) < TOLERANCE);
  }

  @Test
  void shapesAreNamedWhenTheyDoNotFit() {
    MatrixDimensionException e = assertThrows(MatrixDimensionException.class,
        () -> CholeskyOps.decompose(DMatrix.zeros(2, 3)));
    assertTrue(e.getMessage().contains("2x3"), e.getMessage());
  }
}
