package io.compactor.retrain;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An N:M structured sparsity pattern: in every group of {@code groupSize} consecutive input-channel
 * weights at most {@code keep} are non-zero. AMCT names it {@code M<groupSize>N<keep>}; the only type
 * AMCT defines is {@link #M4N2} (2:4). A partial group (fewer channels than {@code groupSize}, at the end
 * of a channel run) counts as zero-padded: it keeps at most {@code keep} of its real weights.
 *
 * @param keep the most non-zeros a group may hold, 1 ≤ keep &lt; groupSize
 * @param groupSize consecutive weights per group
 */
public record NmPattern(int keep, int groupSize) {
  /** Keep 2 of every 4: the pattern sparse tensor cores and Ascend sparse kernels accelerate. */
  public static final NmPattern M4N2 = new NmPattern(2, 4);
  private static final Pattern AMCT_NAME = Pattern.compile("M(\\d+)N(\\d+)");

  public NmPattern {
    if (keep < 1 || keep >= groupSize) {
      throw new IllegalArgumentException("an N:M pattern keeps 1 to M-1 of M weights, got keep " + keep
          + " of " + groupSize);
    }
  }

  /**
   * @param amctName the AMCT {@code n_out_of_m_type}, e.g. {@code M4N2}
   * @return the pattern
   * @throws IllegalArgumentException naming the accepted form
   */
  public static NmPattern parse(String amctName) {
    Matcher m = AMCT_NAME.matcher(amctName.trim().toUpperCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException("n_out_of_m_type: not an AMCT N:M type, got '" + amctName
          + "'; use M4N2 (keep 2 of every 4)");
    }
    return new NmPattern(Integer.parseInt(m.group(2)), Integer.parseInt(m.group(1)));
  }

  /** @return how many weights a group of {@code size} real weights must lose (0 when size ≤ keep) */
  public int prunedIn(int size) {
    return Math.max(0, size - keep);
  }

  /** @return the AMCT name, e.g. {@code M4N2} */
  public String amctName() {
    return "M" + groupSize + "N" + keep;
  }

  @Override
  public String toString() {
    return keep + ":" + groupSize;
  }
}
