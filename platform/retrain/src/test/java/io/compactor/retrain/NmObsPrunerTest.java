package io.compactor.retrain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.retrain.internal.CholeskyOps;
import io.compactor.retrain.internal.GramOps;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NmObsPrunerTest {
  private static final double TOLERANCE = 1e-9;
  /** Reconstruction must remove at least this share of magnitude pruning's output error on correlated inputs. */
  private static final double MIN_IMPROVEMENT = 0.3;

  private record Problem(DMatrix h, DMatrix w, DMatrix upper, DampedCholesky factor) {}

  private static Problem problem(long seed, int rows, int out, int in) {
    Random r = new Random(seed);
    float[] x = Fixtures.correlated(r, rows, in, Math.max(2, in / 3));
    DMatrix h = Fixtures.gram(x, rows, in);
    DMatrix w = Fixtures.gaussian(r, out, in);
    DampedCholesky f = DampedCholesky.factor("test", h, DampedCholesky.DEFAULT_RELATIVE_DAMPING);
    return new Problem(h, w, f.upperFactorOfInverse(), f);
  }

  @Test
  void everyGroupKeepsExactlyTwoOfFour() {
    Problem p = problem(10, 300, 6, 16);
    ColumnGroups groups = ColumnGroups.channelRuns(1, 16, 4);
    NmObsPruner.Result res = NmObsPruner.prune(p.w(), p.upper(), groups, NmPattern.M4N2, 1, ObsSweep.DEFAULT_BLOCK);
    assertTrue(NmMaskOps.satisfies(res.weights(), groups, NmPattern.M4N2));
    for (int r = 0; r < 6; r++) {
      for (int g = 0; g < 4; g++) {
        int kept = 0;
        for (int c = g * 4; c < g * 4 + 4; c++) {
          kept += res.keep()[r * 16 + c] ? 1 : 0;
          assertEquals(res.keep()[r * 16 + c], res.weights().get(r, c) != 0, "mask and zeros agree at " + r + "," + c);
        }
        assertEquals(2, kept);
      }
    }
    assertEquals(6 * 16 / 2, NmMaskOps.zeros(res.weights()));
  }

  @Test
  void fixedMaskWithPrunedColumnsFirstReachesTheLeastSquaresOptimum() {
    // one row, one group of 4; the first two weights are tiny, so the mask prunes columns 0 and 1,
    // and sequential OBS then equals the closed-form optimum q_K = w_K + H_KK⁻¹ H_KP w_P
    Problem p = problem(11, 200, 1, 4);
    DMatrix w = DMatrix.wrap(1, 4, new double[] {0.001, -0.002, 1.5, -2.0});
    NmObsPruner.Result res = NmObsPruner.prune(w, p.upper(), ColumnGroups.channelRuns(1, 4, 4), NmPattern.M4N2, 0, 4);
    assertArrayEquals(new boolean[] {false, false, true, true}, res.keep());
    DMatrix hd = p.h().copy();
    GramOps.addToDiagonal(hd, p.factor().damping());
    DMatrix hkk = DMatrix.wrap(2, 2, new double[] {hd.get(2, 2), hd.get(2, 3), hd.get(3, 2), hd.get(3, 3)});
    DMatrix rhs = DMatrix.wrap(2, 1, new double[] {
        hd.get(2, 0) * w.get(0, 0) + hd.get(2, 1) * w.get(0, 1),
        hd.get(3, 0) * w.get(0, 0) + hd.get(3, 1) * w.get(0, 1)});
    assertTrue(CholeskyOps.decompose(hkk));
    CholeskyOps.solve(hkk, rhs);
    assertEquals(0, res.weights().get(0, 0));
    assertEquals(0, res.weights().get(0, 1));
    assertEquals(1.5 + rhs.get(0, 0), res.weights().get(0, 2), TOLERANCE);
    assertEquals(-2.0 + rhs.get(1, 0), res.weights().get(0, 3), TOLERANCE);
  }

  @Test
  void weightsThatAlreadySatisfyThePatternAreUnchanged() {
    Problem p = problem(12, 300, 5, 12);
    DMatrix w = p.w().copy();
    for (int r = 0; r < 5; r++) {
      for (int g = 0; g < 3; g++) {
        w.set(r, g * 4 + (r + g) % 4, 0);
        w.set(r, g * 4 + (r + g + 2) % 4, 0);
      }
    }
    ColumnGroups groups = ColumnGroups.channelRuns(1, 12, 4);
    for (int window : new int[] {0, 1, 2}) {
      NmObsPruner.Result res = NmObsPruner.prune(w, p.upper(), groups, NmPattern.M4N2, window, 8);
      assertArrayEquals(w.data(), res.weights().data(), "window " + window);
      assertEquals(0, res.estimatedLoss());
    }
  }

  @Test
  void reconstructionBeatsMagnitudePruningOnCorrelatedInputs() {
    Problem p = problem(13, 500, 8, 32);
    ColumnGroups groups = ColumnGroups.channelRuns(1, 32, 4);
    DMatrix magnitude = p.w().copy();
    NmMaskOps.apply(magnitude, NmMaskOps.magnitudeMask(p.w(), groups, NmPattern.M4N2));
    NmObsPruner.Result res = NmObsPruner.prune(p.w(), p.upper(), groups, NmPattern.M4N2, 1, ObsSweep.DEFAULT_BLOCK);
    double magErr = Fixtures.outputError(p.h(), p.w(), magnitude);
    double obsErr = Fixtures.outputError(p.h(), p.w(), res.weights());
    assertTrue(obsErr < (1 - MIN_IMPROVEMENT) * magErr, "OBS error " + obsErr + " vs magnitude " + magErr);
  }

  @Test
  void resultDoesNotDependOnTheBlockSize() {
    Problem p = problem(14, 300, 4, 24);
    ColumnGroups groups = ColumnGroups.channelRuns(2, 12, 4);
    DMatrix a = NmObsPruner.prune(p.w(), p.upper(), groups, NmPattern.M4N2, 2, 4).weights();
    DMatrix b = NmObsPruner.prune(p.w(), p.upper(), groups, NmPattern.M4N2, 2, 7).weights();
    DMatrix c = NmObsPruner.prune(p.w(), p.upper(), groups, NmPattern.M4N2, 2, 128).weights();
    assertTrue(Fixtures.maxAbsDiff(a, b) < TOLERANCE && Fixtures.maxAbsDiff(a, c) < TOLERANCE);
  }

  @Test
  void windowZeroChoosesEveryMaskFromTheStartingWeights() {
    Problem p = problem(15, 400, 6, 16);
    ColumnGroups groups = ColumnGroups.channelRuns(1, 16, 4);
    NmObsPruner.Result res = NmObsPruner.prune(p.w(), p.upper(), groups, NmPattern.M4N2, 0, ObsSweep.DEFAULT_BLOCK);
    boolean[] expected = new boolean[6 * 16];
    double[] scores = new double[4];
    for (int r = 0; r < 6; r++) {
      for (int g = 0; g < 4; g++) {
        for (int k = 0; k < 4; k++) {
          int c = g * 4 + k;
          scores[k] = p.w().get(r, c) * p.w().get(r, c) / (p.upper().get(c, c) * p.upper().get(c, c));
        }
        NmMaskOps.choose(scores, 4, 2, expected, r * 16 + g * 4);
      }
    }
    assertArrayEquals(expected, res.keep());
  }

  @Test
  void adaptiveMasksDifferFromUpFrontMasksAndLowerTheError() {
    Problem p = problem(16, 600, 16, 48);
    ColumnGroups groups = ColumnGroups.channelRuns(1, 48, 4);
    NmObsPruner.Result upFront = NmObsPruner.prune(p.w(), p.upper(), groups, NmPattern.M4N2, 0, ObsSweep.DEFAULT_BLOCK);
    NmObsPruner.Result adaptive = NmObsPruner.prune(p.w(), p.upper(), groups, NmPattern.M4N2, 1, ObsSweep.DEFAULT_BLOCK);
    assertFalse(Arrays.equals(upFront.keep(), adaptive.keep()), "window 1 must re-choose some masks");
    double e0 = Fixtures.outputError(p.h(), p.w(), upFront.weights());
    double e1 = Fixtures.outputError(p.h(), p.w(), adaptive.weights());
    assertTrue(e1 < e0, "adaptive error " + e1 + " vs up-front " + e0);
  }

  @Test
  void partialGroupsKeepAtMostTwoRealWeights() {
    Problem p = problem(17, 300, 3, 14);   // 2 positions x 7 channels: groups of 4 and 3 per position
    ColumnGroups groups = ColumnGroups.channelRuns(2, 7, 4);
    assertEquals(4, groups.count());
    assertEquals(3, groups.size(1));
    NmObsPruner.Result res = NmObsPruner.prune(p.w(), p.upper(), groups, NmPattern.M4N2, 1, ObsSweep.DEFAULT_BLOCK);
    assertTrue(NmMaskOps.satisfies(res.weights(), groups, NmPattern.M4N2));
    assertEquals(3 * (2 + 1) * 2, NmMaskOps.zeros(res.weights()));
  }

  @Test
  void theSweepAlsoServesRoundingLikeGptq() {
    Problem p = problem(18, 400, 5, 20);
    double step = 0.5;
    ObsSweep.Result res = ObsSweep.run(p.w(), p.upper(), 8, (j, values, sweep) -> {
      for (int r = 0; r < values.length; r++) {
        values[r] = Math.rint(values[r] / step) * step;
      }
    });
    DMatrix rounded = p.w().copy();
    for (int i = 0; i < rounded.data().length; i++) {
      rounded.data()[i] = Math.rint(rounded.data()[i] / step) * step;
      assertEquals(0, Math.IEEEremainder(res.weights().data()[i], step), 1e-12, "on the grid");
    }
    assertTrue(Fixtures.outputError(p.h(), p.w(), res.weights()) < Fixtures.outputError(p.h(), p.w(), rounded));
  }
}
