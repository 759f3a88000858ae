package io.compactor.core.tune;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One candidate configuration: a choice per operator (operators not named get {@link Choice#NONE}), the
 * activations static INT8 leaves in float ({@code compactor_float_activations}), and whether INT8 equalizes only
 * where the division folds ({@code compactor_equalization: FOLDED}) on some layers' inputs.
 *
 * @param choices operator name to its choice, in the operators' order
 * @param sparsity share of all prunable weights (embedding tables not counted) the choices remove or zero
 * @param floatActivations activation tensors kept float (float fallback), costliest first; empty without INT8
 * @param foldedEqualization INT8 layers whose input takes no equalization by an explicit {@code Mul}; empty
 *     without INT8
 */
public record Candidate(Map<String, Choice> choices, double sparsity, List<String> floatActivations,
    List<String> foldedEqualization) {
  public Candidate {
    choices = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(choices, "choices")));
    floatActivations = List.copyOf(floatActivations);
    foldedEqualization = List.copyOf(foldedEqualization);
    if (!floatActivations.isEmpty() && choices.values().stream().noneMatch(c -> c.quant() != Choice.Quant.NONE)) {
      throw new IllegalArgumentException("floatActivations: float fallback needs an INT8 operator, got "
          + floatActivations + " without INT8");
    }
  }

  /** A candidate with the step's default equalization. */
  public Candidate(Map<String, Choice> choices, double sparsity, List<String> floatActivations) {
    this(choices, sparsity, floatActivations, List.of());
  }

  /**
   * @param operators every compressible operator, for the weight counts
   * @param choices operator name to choice
   * @return the assignment with its sparsity computed
   */
  public static Candidate of(List<Operator> operators, Map<String, Choice> choices) {
    long total = 0;
    double removed = 0;
    Map<String, Choice> ordered = new LinkedHashMap<>();
    for (Operator op : operators) {
      // tables take no sparsity: counting them would change the share with whether INT8 is allowed
      total += op.table() ? 0 : op.weights();
      Choice c = choices.getOrDefault(op.node(), Choice.NONE);
      removed += op.weights() * c.removedShare();
      if (!c.equals(Choice.NONE)) {
        ordered.put(op.node(), c);
      }
    }
    return new Candidate(ordered, total == 0 ? 0 : removed / total, List.of());
  }

  /**
   * @param tensors activations to keep float; ignored (none kept) when no operator has INT8
   * @return the same choices with those activations in float
   */
  public Candidate withFloatActivations(List<String> tensors) {
    return new Candidate(choices, sparsity, quantized() == 0 ? List.of() : tensors, foldedEqualization);
  }

  /**
   * @param layers INT8 layers whose input is equalized only where the division folds; ignored (none) when no
   *     operator has INT8
   * @return the same choices with that equalization
   */
  public Candidate withFoldedEqualization(List<String> layers) {
    return new Candidate(choices, sparsity, floatActivations, quantized() == 0 ? List.of() : layers);
  }

  /** @return whether both give every operator the same choice, keep the same activations float and equalize alike */
  public boolean sameAs(Candidate other) {
    return choices.equals(other.choices) && Set.copyOf(floatActivations).equals(Set.copyOf(other.floatActivations))
        && Set.copyOf(foldedEqualization).equals(Set.copyOf(other.foldedEqualization));
  }

  /** @return the choice of one operator */
  public Choice choice(String node) {
    return choices.getOrDefault(node, Choice.NONE);
  }

  /** @return the sparsity kind used, {@link Choice.Sparsity#NONE} when none */
  public Choice.Sparsity sparsityKind() {
    return choices.values().stream().map(Choice::sparsity).filter(s -> s != Choice.Sparsity.NONE).findFirst()
        .orElse(Choice.Sparsity.NONE);
  }

  /** @return operators with INT8 */
  public long quantized() {
    return choices.values().stream().filter(c -> c.quant() != Choice.Quant.NONE).count();
  }

  /** @return operators with a sparsity method */
  public long sparse() {
    return choices.values().stream().filter(c -> c.sparsity() != Choice.Sparsity.NONE).count();
  }

  /** @return whether nothing is compressed */
  public boolean empty() {
    return choices.isEmpty();
  }

  /**
   * @return a short description, e.g. {@code 6 × filter (up to 0.50), 11 × int8 static, 2 activations float,
   *     5 layers equalized folded only}
   */
  public String describe() {
    if (empty()) {
      return "nothing compressed";
    }
    StringBuilder s = new StringBuilder();
    long sparse = sparse();
    if (sparse > 0) {
      s.append(sparse).append(" × ").append(sparsityKind() == Choice.Sparsity.FILTER ? "filter pruning" : "2:4");
      double max = choices.values().stream().mapToDouble(Choice::ratio).max().orElse(0);
      if (max > 0) {
        s.append(String.format(java.util.Locale.ROOT, " (up to %.2f)", max));
      }
    }
    long q = quantized();
    if (q > 0) {
      if (s.length() > 0) {
        s.append(", ");
      }
      boolean dynamic = choices.values().stream().anyMatch(c -> c.quant() == Choice.Quant.DYNAMIC);
      s.append(q).append(" × int8").append(dynamic ? " dynamic" : " static");
    }
    if (!floatActivations.isEmpty()) {
      int n = floatActivations.size();
      s.append(", ").append(n).append(n == 1 ? " activation" : " activations").append(" float");
    }
    if (!foldedEqualization.isEmpty()) {
      int n = foldedEqualization.size();
      s.append(", ").append(n).append(n == 1 ? " layer" : " layers").append(" equalized folded only");
    }
    return s.toString();
  }
}
