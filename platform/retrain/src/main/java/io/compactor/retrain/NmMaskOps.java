package io.compactor.retrain;

import java.util.Arrays;

/**
 * N:M masks on weight matrices {@code W[out, in]}: choosing which weights of each group survive,
 * applying a mask and checking a matrix against a pattern. A mask is a row-major {@code boolean[]} of
 * the matrix's size, true for a weight that is kept. Ties keep the lower column. Stateless.
 */
public final class NmMaskOps {
  private NmMaskOps() {}

  /**
   * The magnitude mask (AMCT's L1 selective pruning): in every group of every row the {@code keep}
   * largest {@code |w|} survive.
   *
   * @param w weights; not modified
   * @param groups the column groups
   * @param pattern the N:M pattern
   * @return a new mask
   */
  public static boolean[] magnitudeMask(DMatrix w, ColumnGroups groups, NmPattern pattern) {
    boolean[] keep = allKept(w);
    double[] scores = new double[maxSize(groups)];
    for (int r = 0; r < w.rows(); r++) {
      for (int g = 0; g < groups.count(); g++) {
        int s = groups.start(g);
        for (int k = 0; k < groups.size(g); k++) {
          scores[k] = Math.abs(w.get(r, s + k));
        }
        choose(scores, groups.size(g), pattern.prunedIn(groups.size(g)), keep, r * w.cols() + s);
      }
    }
    return keep;
  }

  /**
   * Marks the {@code prune} lowest of {@code size} scores as pruned in {@code keep} at
   * {@code offset..offset+size}; among equal scores the higher column is pruned first.
   *
   * @param scores lowest means cheapest to prune; only the first {@code size} are read
   * @param size group size
   * @param prune how many to prune
   * @param keep the mask; modified
   * @param offset index of the group's first weight in {@code keep}
   */
  public static void choose(double[] scores, int size, int prune, boolean[] keep, int offset) {
    for (int k = 0; k < size; k++) {
      keep[offset + k] = true;
    }
    for (int done = 0; done < prune; done++) {
      int worst = -1;
      for (int k = size - 1; k >= 0; k--) {
        if (keep[offset + k] && (worst < 0 || scores[k] < scores[worst])) {
          worst = k;
        }
      }
      keep[offset + worst] = false;
    }
  }

  /** @return the size of the largest group, 0 without groups */
  public static int maxSize(ColumnGroups groups) {
    int max = 0;
    for (int g = 0; g < groups.count(); g++) {
      max = Math.max(max, groups.size(g));
    }
    return max;
  }

  /** @return a mask keeping every weight of {@code w} */
  public static boolean[] allKept(DMatrix w) {
    boolean[] keep = new boolean[w.rows() * w.cols()];
    Arrays.fill(keep, true);
    return keep;
  }

  /**
   * @param w weights; modified: every weight the mask does not keep becomes 0
   * @param keep the mask
   */
  public static void apply(DMatrix w, boolean[] keep) {
    double[] d = w.data();
    if (keep.length != d.length) {
      throw new MatrixDimensionException("mask of " + keep.length + " entries for a " + w.shape() + " matrix");
    }
    for (int i = 0; i < d.length; i++) {
      if (!keep[i]) {
        d[i] = 0;
      }
    }
  }

  /** @return whether every group of every row of {@code w} holds at most {@code pattern.keep()} non-zeros */
  public static boolean satisfies(DMatrix w, ColumnGroups groups, NmPattern pattern) {
    for (int r = 0; r < w.rows(); r++) {
      for (int g = 0; g < groups.count(); g++) {
        int nonZero = 0;
        for (int c = groups.start(g); c < groups.end(g); c++) {
          nonZero += w.get(r, c) != 0 ? 1 : 0;
        }
        if (nonZero > pattern.keep()) {
          return false;
        }
      }
    }
    return true;
  }

  /** @return the number of elements of {@code w} that are exactly zero */
  public static long zeros(DMatrix w) {
    long n = 0;
    for (double v : w.data()) {
      n += v == 0 ? 1 : 0;
    }
    return n;
  }
}
