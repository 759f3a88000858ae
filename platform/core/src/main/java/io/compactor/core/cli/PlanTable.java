package io.compactor.core.cli;

import io.compactor.api.Capabilities;
import io.compactor.api.Int8Keys;
import io.compactor.api.Stage;
import io.compactor.core.config.CompactorRetrain;
import io.compactor.core.plan.Assignment;
import io.compactor.core.plan.Assignment.Decision;
import io.compactor.core.plan.Combination;
import io.compactor.core.plan.OperatorPlan;
import io.compactor.core.plan.Plan;
import io.compactor.core.plan.Provider;
import io.compactor.core.plan.RetrainPlan;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The human-readable form of a {@link Plan}: a header naming the providers, one row per operator (its
 * combination, each stage's method with a settings id, and why a part is missing), the settings legend,
 * warnings and totals.
 */
final class PlanTable {
  private record Group(String capability, String settings, String source) {}

  private final Plan plan;
  private final Map<Group, String> ids = new LinkedHashMap<>();
  private final Map<String, Integer> used = new LinkedHashMap<>();

  private PlanTable(Plan plan) {
    this.plan = plan;
  }

  /** @return the table, lines ending in a line separator */
  static String render(Plan plan) {
    return new PlanTable(plan).render();
  }

  private String render() {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"node", "op", "gets", "sparsity", "quantization", "why not"});
    for (OperatorPlan o : plan.operators()) {
      List<String> why = new ArrayList<>();
      String gets = o.combination().label()
          + (o.combination() == o.requested() ? "" : " (asked " + o.requested().label() + ")");
      rows.add(new String[] {o.node(), o.opType(), gets, cell(o.sparsity(), why),
          cell(o.quantization(), why), String.join("; ", why)});
    }
    StringBuilder out = new StringBuilder();
    line(out, "model     " + plan.model());
    line(out, "config    " + plan.config());
    line(out, "sparsity  " + stage(Stage.SPARSITY));
    line(out, "quant     " + stage(Stage.QUANTIZATION));
    if (!plan.floatActivations().isEmpty()) {
      line(out, "float     " + String.join(", ", plan.floatActivations())
          + "  (compactor_float_activations: no INT8 quantization on these activations; their readers keep INT8 "
          + "weights on a float input)");
    }
    plan.retraining().ifPresent(r -> retraining(out, r));
    line(out, "");
    int[] width = new int[rows.get(0).length];
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    for (String[] r : rows) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < r.length; i++) {
        b.append(i == r.length - 1 ? r[i] : String.format("%-" + (width[i] + 2) + "s", r[i]));
      }
      line(out, b.toString().stripTrailing());
    }
    if (!ids.isEmpty()) {
      line(out, "");
      line(out, "settings");
      ids.entrySet().stream().sorted(Comparator.comparing(e -> e.getValue().startsWith("q"))).forEach(e -> line(out, "  " + e.getValue()
          + "  " + e.getKey().capability() + "  " + e.getKey().settings() + "  (from " + e.getKey().source() + "; "
          + used.get(e.getValue()) + (used.get(e.getValue()) == 1 ? " operator)" : " operators)")));
    }
    if (!plan.warnings().isEmpty()) {
      line(out, "");
      line(out, "warnings");
      plan.warnings().forEach(w -> line(out, "  " + w));
    }
    line(out, "");
    line(out, "totals    " + totals(plan.totals()) + "  (" + plan.compressedCount() + " of "
        + plan.operators().size() + " operators compressed)");
    if (!plan.totals().equals(plan.requestedTotals())) {
      line(out, "requested " + totals(plan.requestedTotals()));
    }
    return out.toString();
  }

  /** The retraining lines: provider, settings, and whether every operator can be trained. */
  private static void retraining(StringBuilder out, RetrainPlan r) {
    CompactorRetrain c = r.settings();
    line(out, "retrain   " + Capabilities.RETRAIN_DISTILL + " on " + r.provider().map(Provider::describe)
        .orElse("(not installed: a job fails; install a bundle providing it)"));
    line(out, String.format(Locale.ROOT, "          epochs %d, learning_rate %s, batch_size %d, max_minutes %s, seed %d, "
        + "held_out_fraction %s, train %s, on_unsupported %s", c.epochs(), c.learningRate(), c.batchSize(),
        c.maxMinutes(), c.seed(), c.heldOutFraction(), c.train(), c.onUnsupported()));
    if (r.provider().isEmpty()) {
      return;
    }
    if (r.unsupported().isEmpty()) {
      line(out, "          every operator can be trained: retraining applies");
    } else {
      line(out, "          cannot train " + r.unsupported().size() + " operator(s): " + r.describeUnsupported());
      line(out, "          " + (r.skipped() ? "on_unsupported SKIP: the job runs without retraining"
          : "on_unsupported FAIL: a job fails; set on_unsupported: SKIP to run without retraining"));
    }
  }

  private String stage(Stage stage) {
    List<String> parts = new ArrayList<>();
    plan.providers().forEach((capability, provider) -> {
      boolean ofStage = plan.operators().stream().map(o -> stage == Stage.SPARSITY ? o.sparsity() : o.quantization())
          .anyMatch(a -> a.capability().filter(capability::equals).isPresent());
      if (ofStage) {
        parts.add(capability + provider.map(p -> " by " + p.describe())
            .orElse(": no provider installed, so nothing would run"));
      }
    });
    if (!parts.isEmpty()) {
      return String.join(", ", parts);
    }
    Optional<String> off = plan.operators().stream().map(o -> stage == Stage.SPARSITY ? o.sparsity() : o.quantization())
        .filter(a -> a.decision() == Decision.OFF).map(Assignment::reason).findFirst();
    return off.orElse("no operator selected");
  }

  private String cell(Assignment a, List<String> why) {
    String stage = a.stage() == Stage.SPARSITY ? "sparsity" : "quantization";
    if (a.capability().isEmpty()) {
      if (a.decision() == Decision.SKIPPED || a.decision() == Decision.UNSUPPORTED && a.stage() == Stage.SPARSITY) {
        why.add(a.decision() == Decision.UNSUPPORTED ? a.reason() : stage + " " + a.reason());
      }
      return a.decision() == Decision.OFF ? "-" : a.decision().id();
    }
    String c = a.capability().get();
    Group g = new Group(c, a.settings().asMap().entrySet().stream()
        .filter(e -> !e.getKey().equals(Int8Keys.FLOAT_ACTIVATIONS.name())) // listed once, on the 'float' line
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(" ")), a.source());
    String prefix = a.stage() == Stage.SPARSITY ? "s" : "q";
    String id = ids.get(g);
    if (id == null) {
      id = prefix + (ids.values().stream().filter(v -> v.startsWith(prefix)).count() + 1);
      ids.put(g, id);
    }
    used.merge(id, 1, Integer::sum);
    String label = c.substring(c.indexOf('.') + 1) + " " + id;
    if (a.decision() == Decision.INELIGIBLE) {
      why.add(stage + " ineligible: " + a.reason());
      return label + " (ineligible)";
    }
    return a.decision() == Decision.NO_PROVIDER ? label + " (no provider)" : label;
  }

  private static String totals(Map<Combination, Integer> totals) {
    return totals.entrySet().stream().filter(e -> e.getValue() > 0).map(e -> e.getKey().label() + " " + e.getValue())
        .collect(Collectors.joining(", "));
  }

  private static void line(StringBuilder out, String s) {
    out.append(s).append(System.lineSeparator());
  }
}
