package io.compactor.retrain;

import java.util.Arrays;

/**
 * Which columns of a weight matrix {@code W[out, in]} form N:M groups: disjoint runs of consecutive
 * columns, in increasing order. Columns outside every group (such as an appended bias column) are never
 * pruned. Immutable.
 */
public final class ColumnGroups {
  private final int[] starts;
  private final int[] ends;
  private final int[] groupOfColumn;

  private ColumnGroups(int[] starts, int[] ends) {
    this.starts = starts;
    this.ends = ends;
    int width = ends.length == 0 ? 0 : ends[ends.length - 1];
    this.groupOfColumn = new int[width];
    Arrays.fill(groupOfColumn, -1);
    for (int g = 0; g < starts.length; g++) {
      if (starts[g] >= ends[g] || (g > 0 && starts[g] < ends[g - 1]) || starts[g] < 0) {
        throw new IllegalArgumentException("column groups must be non-empty, disjoint and increasing, got ["
            + starts[g] + ", " + ends[g] + ") after " + (g > 0 ? ends[g - 1] : 0));
      }
      Arrays.fill(groupOfColumn, starts[g], ends[g], g);
    }
  }

  /**
   * Groups for columns laid out as {@code column = position × channels + channel}: at each position,
   * consecutive channels in groups of {@code groupSize}; when {@code channels} is not a multiple of
   * {@code groupSize} the last group of each position is partial.
   *
   * @param positions spatial positions (kernel taps; 1 for dense layers)
   * @param channels input channels per position
   * @param groupSize channels per group
   * @return the groups, covering columns {@code [0, positions × channels)}
   */
  public static ColumnGroups channelRuns(int positions, int channels, int groupSize) {
    if (positions < 0 || channels < 0 || groupSize < 1) {
      throw new IllegalArgumentException("need positions, channels ≥ 0 and group size ≥ 1, got " + positions
          + ", " + channels + ", " + groupSize);
    }
    int perPosition = (channels + groupSize - 1) / groupSize;
    int[] s = new int[positions * perPosition];
    int[] e = new int[s.length];
    int g = 0;
    for (int p = 0; p < positions; p++) {
      for (int c = 0; c < channels; c += groupSize) {
        s[g] = p * channels + c;
        e[g] = p * channels + Math.min(channels, c + groupSize);
        g++;
      }
    }
    return new ColumnGroups(s, e);
  }

  /**
   * @param starts first column of each group
   * @param ends one past the last column of each group
   * @return the groups; they must be non-empty, disjoint and increasing
   */
  public static ColumnGroups of(int[] starts, int[] ends) {
    if (starts.length != ends.length) {
      throw new IllegalArgumentException("starts and ends differ in length: " + starts.length + " vs "
          + ends.length);
    }
    return new ColumnGroups(starts.clone(), ends.clone());
  }

  /** @return the number of groups */
  public int count() {
    return starts.length;
  }

  /** @return the first column of group {@code g} */
  public int start(int g) {
    return starts[g];
  }

  /** @return one past the last column of group {@code g} */
  public int end(int g) {
    return ends[g];
  }

  /** @return the number of columns in group {@code g} */
  public int size(int g) {
    return ends[g] - starts[g];
  }

  /** @return the group holding {@code column}, or -1 when the column is in no group */
  public int groupOf(int column) {
    return column < groupOfColumn.length ? groupOfColumn[column] : -1;
  }

  /** @return one past the last grouped column (0 without groups) */
  public int width() {
    return groupOfColumn.length;
  }
}
