package io.compactor.core.tune;

import java.util.Locale;
import java.util.Objects;

/**
 * The accuracy a tuned model may lose: at most {@code value} top-1 points (needs labels) or a mean output
 * cosine of at least {@code value} against the original.
 *
 * @param kind which quality the budget bounds
 * @param value points of top-1 (0 or more) or the lowest mean cosine allowed (at most 1)
 */
public record Budget(Kind kind, double value) {
  /** What the budget bounds. */
  public enum Kind {
    /** top-1 accuracy drop in points, {@code --max-drop} */
    MAX_DROP("--max-drop"),
    /** mean cosine of the first output to the original's, {@code --min-fidelity} */
    MIN_FIDELITY("--min-fidelity");

    private final String option;

    Kind(String option) {
      this.option = option;
    }

    /** @return the command-line option that sets it */
    public String option() {
      return option;
    }
  }

  public Budget {
    Objects.requireNonNull(kind, "kind");
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException(kind.option + ": must be a number, got " + value);
    }
    if (kind == Kind.MIN_FIDELITY && (value > 1 || value < -1)) {
      throw new IllegalArgumentException(kind.option + ": a mean cosine lies in [-1, 1], got " + value);
    }
  }

  /** @return how far the measured quality is inside the budget; negative when it misses it */
  public double margin(Quality q) {
    if (kind == Kind.MAX_DROP) {
      return value - q.dropPoints().orElseThrow(() -> new IllegalStateException("--max-drop without labels"));
    }
    return q.meanCosine() - value;
  }

  /** @return whether the measured quality meets the budget */
  public boolean met(Quality q) {
    return margin(q) >= -1e-9;
  }

  /** @return e.g. {@code top-1 drop ≤ 0.50 points} */
  public String describe() {
    return kind == Kind.MAX_DROP ? String.format(Locale.ROOT, "top-1 drop ≤ %.2f points", value)
        : String.format(Locale.ROOT, "mean cosine ≥ %.4f", value);
  }
}
