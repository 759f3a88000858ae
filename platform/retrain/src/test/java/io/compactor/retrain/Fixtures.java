package io.compactor.retrain;

import io.compactor.retrain.internal.GramOps;
import java.util.Random;

/** Matrices with fixed seeds and direct (slow, obviously correct) reference computations. */
public final class Fixtures {
  private Fixtures() {}

  public static float[] gaussian(Random r, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return v;
  }

  public static DMatrix gaussian(Random r, int rows, int cols) {
    DMatrix m = DMatrix.zeros(rows, cols);
    for (int i = 0; i < m.data().length; i++) {
      m.data()[i] = r.nextGaussian();
    }
    return m;
  }

  /** Rows of strongly correlated features: X = Z A with a few latent factors plus a little noise. */
  public static float[] correlated(Random r, int rows, int cols, int factors) {
    double[][] mix = new double[factors][cols];
    for (double[] m : mix) {
      for (int c = 0; c < cols; c++) {
        m[c] = r.nextGaussian();
      }
    }
    float[] x = new float[rows * cols];
    for (int i = 0; i < rows; i++) {
      double[] z = new double[factors];
      for (int f = 0; f < factors; f++) {
        z[f] = r.nextGaussian();
      }
      for (int c = 0; c < cols; c++) {
        double v = 0.1 * r.nextGaussian() + 0.5;
        for (int f = 0; f < factors; f++) {
          v += z[f] * mix[f][c];
        }
        x[i * cols + c] = (float) v;
      }
    }
    return x;
  }

  /** XᵀX by the definition. */
  public static DMatrix gram(float[] x, int rows, int cols) {
    DMatrix h = DMatrix.zeros(cols, cols);
    for (int i = 0; i < cols; i++) {
      for (int j = 0; j < cols; j++) {
        double s = 0;
        for (int r = 0; r < rows; r++) {
          s += (double) x[r * cols + i] * x[r * cols + j];
        }
        h.set(i, j, s);
      }
    }
    return h;
  }

  /** A Bᵀ... the plain product a × b. */
  public static DMatrix multiply(DMatrix a, DMatrix b) {
    DMatrix c = DMatrix.zeros(a.rows(), b.cols());
    for (int i = 0; i < a.rows(); i++) {
      for (int j = 0; j < b.cols(); j++) {
        double s = 0;
        for (int k = 0; k < a.cols(); k++) {
          s += a.get(i, k) * b.get(k, j);
        }
        c.set(i, j, s);
      }
    }
    return c;
  }

  /** A symmetric positive definite matrix BᵀB + n·I. */
  public static DMatrix spd(Random r, int n) {
    DMatrix b = gaussian(r, n, n);
    DMatrix a = multiply(b.transpose(), b);
    GramOps.addToDiagonal(a, n);
    return a;
  }

  /** Σ over rows of w of (w − v) H (w − v)ᵀ = ||X (W − V)ᵀ||² when H = XᵀX. */
  public static double outputError(DMatrix h, DMatrix w, DMatrix v) {
    double total = 0;
    int n = w.cols();
    for (int r = 0; r < w.rows(); r++) {
      double[] d = new double[n];
      for (int c = 0; c < n; c++) {
        d[c] = w.get(r, c) - v.get(r, c);
      }
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          total += d[i] * h.get(i, j) * d[j];
        }
      }
    }
    return total;
  }

  public static double maxAbsDiff(DMatrix a, DMatrix b) {
    double m = 0;
    for (int i = 0; i < a.data().length; i++) {
      m = Math.max(m, Math.abs(a.data()[i] - b.data()[i]));
    }
    return m;
  }
}
