package io.compactor.core.plan;

import io.compactor.api.Capabilities;
import io.compactor.api.CompressionMethod;
import io.compactor.api.Eligibility;
import io.compactor.api.Settings;
import io.compactor.api.Stage;
import io.compactor.core.config.ConfigFile;
import io.compactor.core.config.DataQuantConfig;
import io.compactor.core.config.InvalidConfigException;
import io.compactor.core.config.Problem;
import io.compactor.core.config.PruneConfig;
import io.compactor.core.config.RetrainConfig;
import io.compactor.core.config.WeightQuantConfig;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.graph.OnnxModel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Resolves a configuration against a model into a {@link Plan}: for every compressible operator one
 * combination, each part checked against the chosen provider's eligibility. Every configuration problem
 * (from the file and from the model) is reported at once in one {@link InvalidConfigException}.
 */
public final class Planner {
  private final MethodCatalog catalog;

  /** @param catalog where the chosen provider of each capability is found */
  public Planner(MethodCatalog catalog) {
    this.catalog = Objects.requireNonNull(catalog, "catalog");
  }

  /**
   * Plans one job. Normalizes the model's Constant nodes to initializers first (modifying the graph),
   * as the steps will see it.
   *
   * @param model the model
   * @param file the configuration with its file-level problems
   * @return the plan
   * @throws InvalidConfigException listing every problem of the file and every mismatch with the model
   * @throws PlanConflictException when a provider would give an operator two methods of one stage
   */
  public Plan plan(OnnxModel model, ConfigFile file) {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(file, "file");
    Graph graph = model.graph();
    graph.normalizeConstants();
    RetrainConfig config = file.config();
    List<Problem> problems = new ArrayList<>(file.problems());
    List<String> warnings = new ArrayList<>(file.warnings());
    Resolver resolver = new Resolver(config, graph);
    if (file.complete()) {
      new ModelChecks(config, graph, resolver, problems, warnings).run();
    }
    Run run = new Run(config, graph, resolver);
    List<OperatorPlan> operators = new ArrayList<>();
    for (Node n : graph.topologicalOrder()) {
      if (Compressible.candidate(graph, n)) {
        operators.add(run.operator(n));
      }
    }
    run.channelWise.forEach((path, nodes) -> problems.add(Problem.of(path,
        "channel_wise true is not allowed on Gemm and MatMul (per-tensor weights only; AMCT: layer can not be "
            + "channelwised)", "true for " + nodes.size() + (nodes.size() == 1 ? " operator" : " operators")
            + " such as \"" + nodes.get(0) + "\"", "set channel_wise: false for them, e.g. override_layer_types { "
            + "layer_type: \"Linear\" retrain_weight_quant_config { arq_retrain { channel_wise: false } } }, "
            + "or omit channel_wise so each operator takes its default")));
    if (problems.isEmpty() && operators.stream().allMatch(o -> o.requested() == Combination.NONE)) {
      problems.add(nothingToCompress(operators));
    }
    if (!problems.isEmpty()) {
      throw new InvalidConfigException(file.source(), problems);
    }
    Optional<RetrainPlan> retraining = config.compactorRetrain().map(r -> {
      Optional<Provider> provider = catalog.provider(Capabilities.RETRAIN_DISTILL);
      return new RetrainPlan(r, provider, provider.map(p -> p.method().unsupportedOperators(model)).orElse(List.of()));
    });
    retraining.filter(RetrainPlan::skipped).ifPresent(r -> warnings.add("retraining skipped (on_unsupported: SKIP): "
        + "the retraining provider cannot train " + r.describeUnsupported() + "; the job runs with layer-wise "
        + "recovery only"));
    return new Plan(model.source(), file.source(), operators, warnings, retraining);
  }

  private static Problem nothingToCompress(List<OperatorPlan> operators) {
    long unsupported = operators.stream()
        .filter(o -> o.quantization().decision() == Assignment.Decision.UNSUPPORTED).count();
    return Problem.of("", "nothing to compress: no operator of the model is selected by the configuration",
        operators.size() + " Conv/ConvTranspose/Gemm/MatMul operators, " + unsupported
            + " without a constant weight, the rest skipped",
        "shorten the skip lists, or check that the model has compressible operators ('compactor inspect')");
  }

  /** The state of one planning run: provider choices, and channel_wise violations by config path. */
  private final class Run {
    private final RetrainConfig config;
    private final Graph graph;
    private final Resolver resolver;
    private final Map<String, Optional<Provider>> providers = new HashMap<>();
    private final Map<String, List<String>> channelWise = new LinkedHashMap<>();

    Run(RetrainConfig config, Graph graph, Resolver resolver) {
      this.config = config;
      this.graph = graph;
      this.resolver = resolver;
    }

    OperatorPlan operator(Node n) {
      Optional<String> unsupported = Compressible.whyNot(graph, n);
      if (unsupported.isPresent()) {
        return new OperatorPlan(n.name(), n.opType(),
            Assignment.none(Stage.SPARSITY, Assignment.Decision.UNSUPPORTED, unsupported.get()),
            Assignment.none(Stage.QUANTIZATION, Assignment.Decision.UNSUPPORTED, unsupported.get()));
      }
      if (Compressible.table(graph, n)) {
        return new OperatorPlan(n.name(), n.opType(), Assignment.none(Stage.SPARSITY, Assignment.Decision.UNSUPPORTED,
            "sparsity does not apply to embedding tables (Gather)"), table(n));
      }
      return new OperatorPlan(n.name(), n.opType(), sparsity(n), quantization(n));
    }

    /** An embedding table: INT8 only where a name or type override with a quantization block opts in. */
    private Assignment table(Node n) {
      if (!config.quantizationEnabled()) {
        return Assignment.none(Stage.QUANTIZATION, Assignment.Decision.OFF,
            "quantization is not configured (no global retrain_data_quant_config or retrain_weight_quant_config)");
      }
      boolean optedIn = resolver.nameOverride(n).map(i -> config.overrideLayerConfigs().get(i).overridesQuantization())
          .orElse(false) || resolver.typeOverride(n).map(i -> config.overrideLayerTypes().get(i)
          .overridesQuantization()).orElse(false);
      if (!optedIn) {
        return Assignment.none(Stage.QUANTIZATION, Assignment.Decision.OFF, "embedding tables are opt-in: add "
            + "override_layer_types { layer_type: \"Gather\" retrain_weight_quant_config { arq_retrain {} } } or an "
            + "override_layer_configs entry naming it");
      }
      return quantization(n);
    }

    private Assignment sparsity(Node n) {
      if (!config.sparsityEnabled()) {
        return Assignment.none(Stage.SPARSITY, Assignment.Decision.OFF,
            "sparsity is not configured (no global prune_config)");
      }
      Optional<Resolver.SkipHit> skip = resolver.skip(n, resolver.sparsitySkipLists());
      if (skip.isPresent()) {
        return Assignment.none(Stage.SPARSITY, Assignment.Decision.SKIPPED, skip.get().reason());
      }
      Resolver.Pick<PruneConfig> prune = resolver.prune(n).orElseThrow();
      return decide(Stage.SPARSITY, prune.value().capability(), PlanSettings.sparsity(prune.value()),
          prune.path(), n);
    }

    private Assignment quantization(Node n) {
      if (!config.quantizationEnabled()) {
        return Assignment.none(Stage.QUANTIZATION, Assignment.Decision.OFF,
            "quantization is not configured (no global retrain_data_quant_config or retrain_weight_quant_config)");
      }
      Optional<Resolver.SkipHit> skip = resolver.skip(n, resolver.quantSkipLists());
      if (skip.isPresent()) {
        return Assignment.none(Stage.QUANTIZATION, Assignment.Decision.SKIPPED, skip.get().reason());
      }
      Resolver.Pick<DataQuantConfig> data =
          resolver.dataQuant(n).orElse(new Resolver.Pick<>(DataQuantConfig.DEFAULT, "default"));
      Resolver.Pick<WeightQuantConfig> weight =
          resolver.weightQuant(n).orElse(new Resolver.Pick<>(WeightQuantConfig.DEFAULT, "default"));
      boolean linear = n.opType().equals("Gemm") || n.opType().equals("MatMul");
      Optional<Boolean> explicit = weight.value().channelWise();
      if (linear && explicit.orElse(false)) {
        channelWise.computeIfAbsent(weight.path() + "." + weight.value().algorithm().field() + ".channel_wise",
            k -> new ArrayList<>()).add(n.name());
      }
      Settings settings = PlanSettings.int8(data.value(), weight.value(), explicit.orElse(!linear),
          config.batchNum(), config.fakequantPrecisionMode(), config.compactorFloatActivations());
      String source = "activations: " + data.path() + "; weights: " + weight.path();
      return decide(Stage.QUANTIZATION, Capabilities.QUANT_INT8, settings, source, n);
    }

    private Assignment decide(Stage stage, String capability, Settings settings, String source, Node n) {
      Optional<Provider> provider = providers.computeIfAbsent(capability, c -> checked(c, stage));
      if (provider.isEmpty()) {
        return Assignment.noProvider(stage, capability, settings, source);
      }
      CompressionMethod method = provider.get().method();
      if (!method.opTypes().contains(n.opType())) {
        return Assignment.ineligible(stage, capability, settings, provider.get(), source,
            provider.get().describe() + " handles " + new TreeSet<>(method.opTypes()) + ", not " + n.opType());
      }
      Eligibility e = method.eligibility(graph, n);
      return e.eligible() ? Assignment.compress(stage, capability, settings, provider.get(), source)
          : Assignment.ineligible(stage, capability, settings, provider.get(), source, e.reason());
    }

    private Optional<Provider> checked(String capability, Stage stage) {
      Optional<Provider> p = catalog.provider(capability);
      p.ifPresent(x -> {
        if (!x.method().capability().equals(capability)) {
          throw new PlanConflictException(capability, "provider " + x.describe() + " was chosen for " + capability
              + " but provides " + x.method().capability() + "; the host must choose a provider of " + capability);
        }
        if (x.method().stage() != stage) {
          throw new PlanConflictException(capability, "provider " + x.describe() + " registers " + capability
              + " in the " + x.method().stage().id() + " stage, so operators would get two " + x.method().stage().id()
              + " methods; the bundle must register compactor.stage=" + stage.id());
        }
      });
      return p;
    }
  }
}
