package io.compactor.retrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class Int8WeightOpsTest {
  private static final int OUT = 12;
  private static final int IN = 32;

  @Test
  void codesStayWithinTheSymmetricGridAndZeroIsExact() {
    DMatrix w = Fixtures.gaussian(new Random(1), OUT, IN);
    w.set(3, 5, 0);
    double[] s = Int8WeightOps.searchScales(w, null, true);
    byte[] q = Int8WeightOps.codes(w, s);
    for (byte b : q) {
      assertTrue(b >= -127 && b <= 127, "code " + b);
    }
    assertEquals(0, q[3 * IN + 5]);
    assertEquals(0.0, Int8WeightOps.roundToNearest(w, s).get(3, 5));
  }

  @Test
  void aNarrowerGridKeepsEveryCodeWithinItsBoundAndZerosExact() {
    DMatrix w = Fixtures.gaussian(new Random(4), OUT, IN);
    w.set(2, 7, 0);
    w.set(5, 1, 40);   // far beyond the grid the scale search may choose
    double[] s = Int8WeightOps.searchScales(w, null, true, 64);
    DMatrix q = Int8WeightOps.roundToNearest(w, s, 64);
    for (int r = 0; r < OUT; r++) {
      for (int c = 0; c < IN; c++) {
        int code = Int8WeightOps.code(q.get(r, c), s[r]);
        assertTrue(Math.abs(code) <= 64, "code " + code + " at " + r + "," + c);
        assertEquals(q.get(r, c), code * s[r], 1e-12, "on the grid");
      }
    }
    assertEquals(0.0, q.get(2, 7));
    assertEquals(64 * s[5], q.get(5, 1), 1e-12, "the largest weight takes the largest code");
    assertThrows(IllegalArgumentException.class,
        () -> Int8WeightOps.searchScales(w, null, true, 128));
  }

  @Test
  void theSearchedScaleIsNeverWorseThanTheMaxScale() {
    DMatrix w = Fixtures.gaussian(new Random(2), OUT, IN);
    w.set(0, 0, 12);   // an outlier makes max scaling coarse for everything else
    for (boolean perRow : new boolean[] {true, false}) {
      double[] s = Int8WeightOps.searchScales(w, null, perRow);
      double[] maxScale = new double[OUT];
      for (int r = 0; r < OUT; r++) {
        double m = 0;
        for (int c = 0; c < IN; c++) {
          m = Math.max(m, Math.abs(perRow ? w.get(r, c) : 12));
        }
        maxScale[r] = m / 127;
      }
      double searched = squared(w, Int8WeightOps.roundToNearest(w, s));
      double byMax = squared(w, Int8WeightOps.roundToNearest(w, maxScale));
      assertTrue(searched <= byMax, perRow + ": " + searched + " vs " + byMax);
      if (!perRow) {
        assertEquals(s[0], s[OUT - 1]);
      }
    }
  }

  @Test
  void gptqRoundingLowersTheOutputErrorOnCorrelatedInputsAndKeepsZeros() {
    Random r = new Random(3);
    int rows = 2000;
    float[] x = Fixtures.correlated(r, rows, IN, 4);
    DMatrix h = Fixtures.gram(x, rows, IN);
    DMatrix w = Fixtures.gaussian(r, OUT, IN);
    for (int i = 0; i < OUT; i++) {
      w.set(i, (i * 7) % IN, 0);
    }
    double[] s = Int8WeightOps.searchScales(w, null, false);
    for (int i = 0; i < s.length; i++) {
      s[i] *= 8;   // a coarse grid so rounding error dominates
    }
    DampedCholesky f = DampedCholesky.factor("t", h, DampedCholesky.DEFAULT_RELATIVE_DAMPING);
    DMatrix nearest = Int8WeightOps.roundToNearest(w, s);
    DMatrix gptq = Int8WeightOps.gptq(w, f.upperFactorOfInverse(), s, Int8WeightOps.zeroMask(w), IN, 8).weights();
    double eNearest = Fixtures.outputError(h, w, nearest);
    double eGptq = Fixtures.outputError(h, w, gptq);
    assertTrue(eGptq < 0.7 * eNearest, "gptq " + eGptq + " vs nearest " + eNearest);
    for (int i = 0; i < OUT; i++) {
      assertEquals(0.0, gptq.get(i, (i * 7) % IN), "row " + i);
      for (int c = 0; c < IN; c++) {
        double q = gptq.get(i, c) / s[i];
        assertEquals(Math.rint(q), q, 1e-9, "on the grid");
      }
    }
  }

  @Test
  void anUnroundedTrailingColumnTakesTheCompensation() {
    Random r = new Random(4);
    int rows = 500;
    float[] x = Fixtures.correlated(r, rows, IN, 3);
    DMatrix h = Fixtures.gram(x, rows, IN);
    DMatrix w = Fixtures.gaussian(r, OUT, IN);
    double[] s = Int8WeightOps.searchScales(w, null, true);
    DampedCholesky f = DampedCholesky.factor("t", h, DampedCholesky.DEFAULT_RELATIVE_DAMPING);
    DMatrix q = Int8WeightOps.gptq(w, f.upperFactorOfInverse(), s, null, IN - 1, 16).weights();
    boolean moved = false;
    for (int i = 0; i < OUT; i++) {
      moved |= q.get(i, IN - 1) != w.get(i, IN - 1);
      double v = q.get(i, 0) / s[i];
      assertEquals(Math.rint(v), v, 1e-9);
    }
    assertTrue(moved, "the free column was compensated");
  }

  private static double squared(DMatrix a, DMatrix b) {
    double e = 0;
    for (int i = 0; i < a.data().length; i++) {
      e += Math.pow(a.data()[i] - b.data()[i], 2);
    }
    return e;
  }
}
