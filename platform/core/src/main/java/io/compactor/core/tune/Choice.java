package io.compactor.core.tune;

import java.util.Locale;
import java.util.Objects;

/**
 * What one operator gets: at most one sparsity method and one INT8 form, each possibly none.
 *
 * @param sparsity the sparsity method
 * @param ratio the filter-pruning ratio, 0 unless {@code sparsity} is {@link Sparsity#FILTER}
 * @param quant the INT8 form
 */
public record Choice(Sparsity sparsity, double ratio, Quant quant) {
  /** Nothing: the operator stays FP32. */
  public static final Choice NONE = new Choice(Sparsity.NONE, 0, Quant.NONE);

  /** Sparsity methods; one kind per configuration file (AMCT's rule). */
  public enum Sparsity { NONE, TWO_OF_FOUR, FILTER }

  /** INT8 forms: static activation ranges, or run-time ranges (Compactor's {@code compactor_dynamic}). */
  public enum Quant {
    NONE, STATIC, DYNAMIC;

    /** @return {@code static} or {@code dynamic} (or {@code none}) */
    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public Choice {
    Objects.requireNonNull(sparsity, "sparsity");
    Objects.requireNonNull(quant, "quant");
    if (sparsity == Sparsity.FILTER ? !(ratio > 0 && ratio < 1) : ratio != 0) {
      throw new IllegalArgumentException("ratio: a filter ratio lies in (0, 1) and other methods have none, got "
          + ratio + " for " + sparsity);
    }
  }

  /** @return the same sparsity with another INT8 form */
  public Choice withQuant(Quant q) {
    return new Choice(sparsity, ratio, q);
  }

  /** @return a filter-pruning choice without INT8 */
  public static Choice filter(double ratio) {
    return new Choice(Sparsity.FILTER, ratio, Quant.NONE);
  }

  /** @return 2:4 without INT8 */
  public static Choice twoOfFour() {
    return new Choice(Sparsity.TWO_OF_FOUR, 0, Quant.NONE);
  }

  /** @return share of the operator's weights this choice removes or zeroes */
  public double removedShare() {
    return switch (sparsity) {
      case NONE -> 0;
      case TWO_OF_FOUR -> 0.5;
      case FILTER -> ratio;
    };
  }

  /** @return e.g. {@code filter 0.50 + int8 static}, {@code 2:4}, {@code none} */
  public String label() {
    String s = switch (sparsity) {
      case NONE -> "";
      case TWO_OF_FOUR -> "2:4";
      case FILTER -> String.format(Locale.ROOT, "filter %.2f", ratio);
    };
    String q = quant == Quant.NONE ? "" : "int8 " + quant.id();
    if (s.isEmpty() && q.isEmpty()) {
      return "none";
    }
    return s.isEmpty() ? q : q.isEmpty() ? s : s + " + " + q;
  }
}
