package io.compactor.retrain;

import java.util.Objects;

/**
 * SparseGPT-style N:M pruning: an {@link ObsSweep} that zeroes all but {@code keep} weights of every
 * group and compensates each zeroed weight on the columns not yet fixed. A weight's saliency is OBS's
 * {@code w² / U[j][j]²}, the output error its removal would cause; the lowest-saliency weights of a
 * group are pruned (ties prune the higher column).
 *
 * <p>The <em>mask window</em> says when masks are chosen. With window 0 every mask is chosen once,
 * before the sweep, from the starting weights. With window {@code k ≥ 1} the masks of groups
 * {@code g … g+k−1} are chosen when the sweep reaches group {@code g} (a multiple of {@code k}), from the
 * weights as compensated by every column fixed before it; window 1 is SparseGPT's adaptive mask
 * selection. A group that already satisfies the pattern loses only zeros and so changes nothing.
 */
public final class NmObsPruner {
  private NmObsPruner() {}

  /**
   * @param weights the pruned and compensated weights
   * @param keep the mask, row-major, true for a kept weight
   * @param estimatedLoss OBS's estimate of the increase of {@code ||X ΔWᵀ||²}
   */
  public record Result(DMatrix weights, boolean[] keep, double estimatedLoss) {}

  /**
   * @param weights the dense starting weights {@code W[out, in]}; not modified
   * @param upper {@code U} with {@code (H + λI)⁻¹ = UᵀU}, {@code in x in}; not modified
   * @param groups the column groups the pattern applies to
   * @param pattern the N:M pattern
   * @param maskWindow groups per mask choice, 0 = all masks up front
   * @param blockSize columns per lazy-update block
   * @return pruned weights satisfying the pattern, and the mask
   */
  public static Result prune(DMatrix weights, DMatrix upper, ColumnGroups groups, NmPattern pattern, int maskWindow,
      int blockSize) {
    Objects.requireNonNull(pattern, "pattern");
    if (maskWindow < 0) {
      throw new IllegalArgumentException("mask window must be 0 (all up front) or a positive number of groups, got "
          + maskWindow);
    }
    if (groups.width() > weights.cols()) {
      throw new MatrixDimensionException("column groups reach column " + groups.width() + " of a " + weights.shape()
          + " weight matrix");
    }
    int rows = weights.rows();
    int cols = weights.cols();
    boolean[] keep = NmMaskOps.allKept(weights);
    double[] scores = new double[NmMaskOps.maxSize(groups)];
    if (maskWindow == 0) {
      for (int r = 0; r < rows; r++) {
        for (int g = 0; g < groups.count(); g++) {
          for (int k = 0; k < groups.size(g); k++) {
            int c = groups.start(g) + k;
            double pivot = upper.get(c, c);
            scores[k] = weights.get(r, c) * weights.get(r, c) / (pivot * pivot);
          }
          NmMaskOps.choose(scores, groups.size(g), pattern.prunedIn(groups.size(g)), keep, r * cols + groups.start(g));
        }
      }
    }
    double[] column = new double[rows];
    ObsSweep.Result swept = ObsSweep.run(weights, upper, blockSize, (j, values, sweep) -> {
      int g = groups.groupOf(j);
      if (g < 0) {
        return;
      }
      if (maskWindow > 0 && j == groups.start(g) && g % maskWindow == 0) {
        chooseWindow(g, Math.min(groups.count(), g + maskWindow), groups, pattern, sweep, keep, cols, column);
      }
      for (int r = 0; r < rows; r++) {
        if (!keep[r * cols + j]) {
          values[r] = 0;
        }
      }
    });
    return new Result(swept.weights(), keep, swept.estimatedLoss());
  }

  private static void chooseWindow(int from, int to, ColumnGroups groups, NmPattern pattern, ObsSweep.Sweep sweep,
      boolean[] keep, int cols, double[] column) {
    int rows = sweep.rows();
    int maxSize = NmMaskOps.maxSize(groups);
    for (int g = from; g < to; g++) {
      int size = groups.size(g);
      double[][] scores = new double[rows][maxSize];
      for (int k = 0; k < size; k++) {
        int c = groups.start(g) + k;
        sweep.column(c, column);
        double pivot = sweep.pivot(c);
        for (int r = 0; r < rows; r++) {
          scores[r][k] = column[r] * column[r] / (pivot * pivot);
        }
      }
      for (int r = 0; r < rows; r++) {
        NmMaskOps.choose(scores[r], size, pattern.prunedIn(size), keep, r * cols + groups.start(g));
      }
    }
  }
}
