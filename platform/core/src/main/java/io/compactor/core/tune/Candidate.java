package io.compactor.core.tune;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One candidate configuration: a choice per operator (operators not named get {@link Choice#NONE}).
 *
 * @param choices operator name to its choice, in the operators' order
 * @param sparsity share of all compressible weights the choices remove or zero
 */
public record Candidate(Map<String, Choice> choices, double sparsity) {
  public Candidate {
    choices = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(choices, "choices")));
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
      total += op.weights();
      Choice c = choices.getOrDefault(op.node(), Choice.NONE);
      removed += op.weights() * c.removedShare();
      if (!c.equals(Choice.NONE)) {
        ordered.put(op.node(), c);
      }
    }
    return new Candidate(ordered, total == 0 ? 0 : removed / total);
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

  /** @return a short description, e.g. {@code 6 × filter (up to 0.50), 11 × int8 static} */
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
    return s.toString();
  }
}
