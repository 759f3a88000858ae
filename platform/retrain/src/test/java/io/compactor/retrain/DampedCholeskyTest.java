package io.compactor.retrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.retrain.internal.GramOps;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DampedCholeskyTest {
  @Test
  void rankDeficientHessianFactorsWithTheRequestedDampening() {
    Random r = new Random(5);
    float[] x = Fixtures.correlated(r, 6, 10, 2);   // 6 samples, 10 features: rank ≤ 6
    DMatrix h = Fixtures.gram(x, 6, 10);
    DampedCholesky f = DampedCholesky.factor("fc", h, DampedCholesky.DEFAULT_RELATIVE_DAMPING);
    assertEquals(DampedCholesky.DEFAULT_RELATIVE_DAMPING, f.relativeDamping());
    assertEquals(0.01 * GramOps.meanDiagonal(h), f.damping(), 1e-12);
    DMatrix damped = h.copy();
    GramOps.addToDiagonal(damped, f.damping());
    DMatrix v = f.upperFactor();
    assertTrue(Fixtures.maxAbsDiff(damped, Fixtures.multiply(v, v.transpose())) < 1e-9);
    DMatrix u = f.upperFactorOfInverse();
    for (int i = 0; i < 10; i++) {
      for (int j = 0; j < i; j++) {
        assertEquals(0, u.get(i, j), "U is upper triangular");
        assertEquals(0, v.get(i, j), "V is upper triangular");
      }
    }
    assertTrue(Fixtures.maxAbsDiff(DMatrix.identity(10), Fixtures.multiply(f.inverse(), damped)) < 1e-9);
    assertTrue(Fixtures.maxAbsDiff(f.inverse(), Fixtures.multiply(u.transpose(), u)) < 1e-9);
    DMatrix b = Fixtures.gaussian(r, 10, 2);
    DMatrix solution = b.copy();
    f.solve(solution);
    assertTrue(Fixtures.maxAbsDiff(b, Fixtures.multiply(damped, solution)) < 1e-9);
  }

  @Test
  void dampeningEscalatesUntilTheMatrixFactors() {
    DMatrix h = DMatrix.wrap(2, 2, new double[] {1, 0, 0, -0.5});   // mean diagonal 0.25, eigenvalue -0.5
    DampedCholesky f = DampedCholesky.factor("fc", h, 0.01);
    assertEquals(10, f.relativeDamping(), 1e-9);
  }

  @Test
  void hopelessHessianNamesTheLayerAndTheFix() {
    DMatrix h = DMatrix.wrap(2, 2, new double[] {1, 0, 0, -100});
    ReconstructionException e = assertThrows(ReconstructionException.class,
        () -> DampedCholesky.factor("conv7", h, 0.01));
    assertTrue(e.getMessage().startsWith("conv7: "), e.getMessage());
    assertTrue(e.getMessage().contains("not positive definite") && e.getMessage().contains("add calibration samples"),
        e.getMessage());
    assertEquals("conv7", e.layer().orElseThrow());
  }

  @Test
  void nonFiniteHessianIsRejected() {
    DMatrix h = DMatrix.wrap(1, 1, new double[] {Double.POSITIVE_INFINITY});
    ReconstructionException e = assertThrows(ReconstructionException.class, () -> DampedCholesky.factor("fc", h, 0.01));
    assertTrue(e.getMessage().contains("non-finite"), e.getMessage());
  }

  @Test
  void allZeroHessianFallsBackToTheIdentityScale() {
    DampedCholesky f = DampedCholesky.factor("fc", DMatrix.zeros(3, 3), 0.01);
    assertEquals(0.01, f.damping(), 1e-15);
  }
}
