package io.compactor.core.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The machine-readable form of a {@link Plan} ({@code compactor plan --json}, and the plan section of
 * {@code report.json}). Field names are snake_case; absent values are left out, never null. Documented in
 * {@code docs/config.md}.
 */
public final class PlanJson {
  private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private PlanJson() {}

  /** @return the plan as nested maps and lists of String, Number and Boolean, in a stable order */
  public static Map<String, Object> tree(Plan plan) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("model", plan.model());
    root.put("config", plan.config());
    Map<String, Object> providers = new LinkedHashMap<>();
    plan.providers().forEach((capability, provider) -> {
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("installed", provider.isPresent());
      provider.ifPresent(x -> {
        p.put("bundle", x.bundle());
        p.put("version", x.version());
      });
      providers.put(capability, p);
    });
    root.put("providers", providers);
    List<Object> operators = new ArrayList<>();
    for (OperatorPlan o : plan.operators()) {
      Map<String, Object> op = new LinkedHashMap<>();
      op.put("node", o.node());
      op.put("op_type", o.opType());
      op.put("combination", o.combination().label());
      op.put("requested", o.requested().label());
      op.put("sparsity", part(o.sparsity()));
      op.put("quantization", part(o.quantization()));
      operators.add(op);
    }
    root.put("operators", operators);
    root.put("float_activations", plan.floatActivations());
    root.put("warnings", plan.warnings());
    root.put("totals", labels(plan.totals()));
    root.put("requested_totals", labels(plan.requestedTotals()));
    plan.retraining().ifPresent(r -> root.put("retraining", retraining(r)));
    return root;
  }

  /**
   * @return the compact form of the {@code planned} event: operator count, totals per combination, one entry
   *     per step with its provider, and per operator the capability of each stage ({@code none} when left
   *     out) with the reasons for what was left out
   */
  public static Map<String, Object> summary(Plan plan) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("operators", plan.operators().size());
    root.put("combinations", labels(plan.totals()));
    List<Object> steps = new ArrayList<>();
    plan.providers().forEach((capability, provider) -> {
      Map<String, Object> step = new LinkedHashMap<>();
      step.put("capability", capability);
      step.put("layers", plan.tasks(capability).size());
      provider.ifPresent(p -> step.put("provider", Map.of("bundle", p.bundle(), "version", p.version())));
      steps.add(step);
    });
    root.put("steps", steps);
    List<Object> operators = new ArrayList<>();
    for (OperatorPlan o : plan.operators()) {
      Map<String, Object> op = new LinkedHashMap<>();
      op.put("node", o.node());
      op.put("opType", o.opType());
      op.put("sparsity", o.sparsity().appliedCapability().orElse("none"));
      op.put("quantization", o.quantization().appliedCapability().orElse("none"));
      List<String> reasons = o.parts().stream().map(Assignment::reason).filter(r -> !r.isEmpty()).toList();
      if (!reasons.isEmpty()) {
        op.put("reasons", reasons);
      }
      operators.add(op);
    }
    root.put("plan", operators);
    root.put("warnings", plan.warnings());
    plan.retraining().ifPresent(r -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("applies", r.applies());
      r.provider().ifPresent(p -> m.put("provider", Map.of("bundle", p.bundle(), "version", p.version())));
      if (!r.unsupported().isEmpty()) {
        m.put("unsupported", r.unsupported().stream().map(Object::toString).toList());
      }
      m.put("onUnsupported", r.settings().onUnsupported().name());
      root.put("retraining", m);
    });
    return root;
  }

  /** @return the plan as indented JSON */
  public static String write(Plan plan) {
    try {
      return MAPPER.writeValueAsString(tree(plan));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a plan tree holds only strings, numbers and booleans", e);
    }
  }

  /** @return the {@code retraining} section of the plan: settings, provider and what cannot be trained */
  private static Map<String, Object> retraining(RetrainPlan r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("applies", r.applies());
    m.put("provider", r.provider().map(Provider::describe).orElse("none installed"));
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("epochs", r.settings().epochs());
    settings.put("learning_rate", r.settings().learningRate());
    settings.put("batch_size", r.settings().batchSize());
    settings.put("max_minutes", r.settings().maxMinutes());
    settings.put("seed", r.settings().seed());
    settings.put("held_out_fraction", r.settings().heldOutFraction());
    settings.put("train", r.settings().train().name());
    settings.put("on_unsupported", r.settings().onUnsupported().name());
    m.put("settings", settings);
    List<Object> unsupported = new ArrayList<>();
    r.unsupported().forEach(u -> unsupported.add(Map.of("node", u.node(), "op_type", u.opType(), "reason", u.reason())));
    m.put("unsupported", unsupported);
    return m;
  }

  private static Map<String, Object> part(Assignment a) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("decision", a.decision().id());
    a.capability().ifPresent(c -> m.put("capability", c));
    a.provider().ifPresent(p -> m.put("provider", p.describe()));
    if (a.capability().isPresent()) {
      m.put("settings", a.settings().asMap());
      m.put("source", a.source());
    }
    if (!a.reason().isEmpty()) {
      m.put("reason", a.reason());
    }
    return m;
  }

  private static Map<String, Integer> labels(Map<Combination, Integer> totals) {
    Map<String, Integer> out = new LinkedHashMap<>();
    totals.forEach((c, n) -> out.put(c.label(), n));
    return out;
  }
}
