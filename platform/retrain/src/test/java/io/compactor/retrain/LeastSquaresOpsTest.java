package io.compactor.retrain;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.retrain.internal.GramOps;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LeastSquaresOpsTest {
  private static final double TOLERANCE = 1e-4;

  @Test
  void ridgeRecoversTheWeightsThatProducedTheOutputs() {
    Random r = new Random(9);
    int rows = 400;
    int in = 12;
    int out = 5;
    float[] x = Fixtures.correlated(r, rows, in, 6);
    DMatrix truth = Fixtures.gaussian(r, out, in);
    float[] y = new float[rows * out];
    for (int k = 0; k < rows; k++) {
      for (int o = 0; o < out; o++) {
        double s = 0;
        for (int i = 0; i < in; i++) {
          s += x[k * in + i] * truth.get(o, i);
        }
        y[k * out + o] = (float) s;
      }
    }
    DMatrix h = DMatrix.zeros(in, in);
    DMatrix c = DMatrix.zeros(in, out);
    GramOps.accumulate(x, rows, in, h);
    GramOps.accumulateCross(x, rows, in, y, out, c);
    DMatrix w = LeastSquaresOps.ridge("fc", h, c, 1e-9);
    double err = Fixtures.outputError(h, truth, w) / Fixtures.outputError(h, truth, DMatrix.zeros(out, in));
    assertTrue(err < TOLERANCE, "relative output error " + err);
  }

  @Test
  void ridgeTowardsAPriorStaysAtThePriorUnderHeavyDampingAndFitsTheDataUnderLight() {
    Random r = new Random(11);
    int rows = 300;
    int in = 10;
    int out = 4;
    float[] x = Fixtures.correlated(r, rows, in, 5);
    DMatrix truth = Fixtures.gaussian(r, out, in);
    DMatrix prior = Fixtures.gaussian(r, out, in);
    float[] y = new float[rows * out];
    for (int k = 0; k < rows; k++) {
      for (int o = 0; o < out; o++) {
        double s = 0;
        for (int i = 0; i < in; i++) {
          s += x[k * in + i] * truth.get(o, i);
        }
        y[k * out + o] = (float) s;
      }
    }
    DMatrix h = DMatrix.zeros(in, in);
    DMatrix c = DMatrix.zeros(in, out);
    GramOps.accumulate(x, rows, in, h);
    GramOps.accumulateCross(x, rows, in, y, out, c);
    DMatrix light = LeastSquaresOps.ridgeTowards("fc", h, c, prior, 1e-9);
    double fit = Fixtures.outputError(h, truth, light) / Fixtures.outputError(h, truth, prior);
    assertTrue(fit < TOLERANCE, "relative output error with light damping " + fit);
    DMatrix heavy = LeastSquaresOps.ridgeTowards("fc", h, c, prior, DampedCholesky.MAX_RELATIVE_DAMPING);
    DMatrix shrunk = LeastSquaresOps.ridge("fc", h, c, DampedCholesky.MAX_RELATIVE_DAMPING);
    double towardsPrior = Fixtures.maxAbsDiff(heavy, prior);
    double towardsZero = Fixtures.maxAbsDiff(shrunk, prior);
    assertTrue(towardsPrior < 0.5 * Fixtures.maxAbsDiff(light, prior) && towardsPrior < 0.5 * towardsZero,
        "heavy damping must pull towards the prior: " + towardsPrior + " from it, light " + Fixtures.maxAbsDiff(light,
            prior) + ", plain ridge " + towardsZero);
  }
}
