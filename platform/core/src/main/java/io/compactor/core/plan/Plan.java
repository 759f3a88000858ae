package io.compactor.core.plan;

import io.compactor.api.Int8Keys;
import io.compactor.api.LayerTask;
import io.compactor.api.Stage;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The per-operator plan of one job: for every compressible operator, in topological order, its single
 * combination, and the warnings found while resolving it. A plan never lists an operator twice and uses
 * at most one capability per stage, so the coordinator runs at most one step per stage.
 *
 * @param model the model file or description
 * @param config the configuration file or description
 * @param operators one entry per Conv, ConvTranspose, Gemm and MatMul node, in topological order
 * @param warnings things that work but are probably not meant, e.g. an ignored override
 * @param retraining whole-model retraining after the compression steps; empty without a
 *     {@code compactor_retrain} block
 */
public record Plan(String model, String config, List<OperatorPlan> operators, List<String> warnings,
    Optional<RetrainPlan> retraining) {
  /** A plan without retraining. */
  public Plan(String model, String config, List<OperatorPlan> operators, List<String> warnings) {
    this(model, config, operators, warnings, Optional.empty());
  }

  public Plan {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(retraining, "retraining");
    operators = List.copyOf(operators);
    warnings = List.copyOf(warnings);
    Set<String> nodes = new HashSet<>();
    Map<Stage, String> capabilityOfStage = new EnumMap<>(Stage.class);
    for (OperatorPlan op : operators) {
      if (!nodes.add(op.node())) {
        throw new IllegalArgumentException("operator " + op.node() + " appears twice in the plan; an operator "
            + "gets exactly one combination");
      }
      for (Assignment a : op.parts()) {
        a.capability().ifPresent(c -> {
          String other = capabilityOfStage.putIfAbsent(a.stage(), c);
          if (other != null && !other.equals(c)) {
            throw new IllegalArgumentException("the plan uses " + other + " and " + c + " in the "
                + a.stage().id() + " stage; a run uses one method per stage");
          }
        });
      }
    }
  }

  /**
   * @return the activations INT8 leaves in float (Compactor extension {@code compactor_float_activations}), as
   *     the planner hands them to the INT8 operators; empty when none
   */
  public List<String> floatActivations() {
    return operators.stream().map(o -> o.quantization().settings()).map(Int8Keys::floatActivations)
        .filter(l -> !l.isEmpty()).findFirst().orElse(List.of());
  }

  /** @return the entry of one operator */
  public Optional<OperatorPlan> operator(String node) {
    return operators.stream().filter(o -> o.node().equals(node)).findFirst();
  }

  /** @return how many operators get each combination, every combination listed */
  public Map<Combination, Integer> totals() {
    return count(OperatorPlan::combination);
  }

  /** @return how many operators the configuration asks each combination for, every combination listed */
  public Map<Combination, Integer> requestedTotals() {
    return count(OperatorPlan::requested);
  }

  private Map<Combination, Integer> count(Function<OperatorPlan, Combination> of) {
    Map<Combination, Integer> totals = new EnumMap<>(Combination.class);
    for (Combination c : Combination.values()) {
      totals.put(c, 0);
    }
    operators.forEach(o -> totals.merge(of.apply(o), 1, Integer::sum));
    return totals;
  }

  /**
   * @return every requested compression capability and its provider (empty when none is installed), sparsity
   *     first; retraining is in {@link #retraining()}
   */
  public Map<String, Optional<Provider>> providers() {
    Map<String, Optional<Provider>> out = new LinkedHashMap<>();
    for (Stage stage : List.of(Stage.SPARSITY, Stage.QUANTIZATION)) {
      for (OperatorPlan o : operators) {
        Assignment a = stage == Stage.SPARSITY ? o.sparsity() : o.quantization();
        a.capability().ifPresent(c -> out.merge(c, a.provider(), (x, y) -> x.isPresent() ? x : y));
      }
    }
    return out;
  }

  /**
   * @param capability e.g. {@code sparsity.2of4}
   * @return the operators that capability compresses, in topological order, with their settings
   */
  public List<LayerTask> tasks(String capability) {
    Map<String, LayerTask> tasks = new LinkedHashMap<>();
    for (OperatorPlan o : operators) {
      for (Assignment a : o.parts()) {
        if (a.appliedCapability().filter(capability::equals).isPresent()) {
          tasks.put(o.node(), new LayerTask(o.node(), o.opType(), a.settings()));
        }
      }
    }
    return List.copyOf(tasks.values());
  }

  /**
   * @param capability e.g. {@code sparsity.2of4}
   * @return how many operators the configuration asks that capability for, whether or not it can run
   */
  public long requested(String capability) {
    return operators.stream()
        .filter(o -> o.parts().stream().anyMatch(a -> a.capability().filter(capability::equals).isPresent()))
        .count();
  }

  /** @return the number of operators that get at least one method */
  public long compressedCount() {
    return operators.stream().filter(o -> o.combination() != Combination.NONE).count();
  }
}
