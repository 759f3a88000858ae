package io.compactor.core.plan;

import io.compactor.core.config.ClosestNames;
import io.compactor.core.config.ConfigOverride;
import io.compactor.core.config.LayerOverride;
import io.compactor.core.config.LayerType;
import io.compactor.core.config.Problem;
import io.compactor.core.config.RetrainConfig;
import io.compactor.core.config.TypeOverride;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The configuration rules that need the model: every name and type in an override or skip list must
 * select something the model has, and no layer may be both skipped and overridden for one feature.
 */
final class ModelChecks {
  private final RetrainConfig config;
  private final Graph graph;
  private final Resolver resolver;
  private final List<Problem> problems;
  private final List<String> warnings;
  private final List<String> compressibleNames;

  ModelChecks(RetrainConfig config, Graph graph, Resolver resolver, List<Problem> problems, List<String> warnings) {
    this.config = config;
    this.graph = graph;
    this.resolver = resolver;
    this.problems = problems;
    this.warnings = warnings;
    this.compressibleNames = graph.nodes().stream()
        .filter(n -> Compressible.whyNot(graph, n).isEmpty()).map(Node::name).toList();
  }

  void run() {
    List<LayerOverride> layers = config.overrideLayerConfigs();
    for (int i = 0; i < layers.size(); i++) {
      String path = "override_layer_configs[" + i + "]";
      LayerOverride o = layers.get(i);
      layerName(path + ".layer_name", o.layerName(), true).ifPresent(node -> skippedAndOverridden(path, o, node));
    }
    List<TypeOverride> types = config.overrideLayerTypes();
    for (int i = 0; i < types.size(); i++) {
      String path = "override_layer_types[" + i + "]";
      layerType(path + ".layer_type", types.get(i).layerType(), true);
      typeSkippedAndOverridden(path, types.get(i));
    }
    floatActivations();
    for (Resolver.SkipList list : lists()) {
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < list.entries().size(); i++) {
        String entry = list.entries().get(i);
        String path = list.field() + "[" + i + "]";
        if (seen.add(entry)) {
          if (list.types()) {
            layerType(path, entry, false);
          } else {
            layerName(path, entry, false);
          }
        }
      }
    }
  }

  /** Every {@code compactor_float_activations} entry must name an activation: a graph input or a node output. */
  private void floatActivations() {
    List<String> names = config.compactorFloatActivations();
    if (names.isEmpty()) {
      return;
    }
    Set<String> activations = new LinkedHashSet<>();
    graph.inputs().forEach(v -> activations.add(v.name()));
    graph.nodes().forEach(n -> n.outputs().stream().filter(o -> !o.isEmpty()).forEach(activations::add));
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      String path = "compactor_float_activations[" + i + "]";
      if (graph.hasInitializer(name) || graph.isConstant(name)) {
        problems.add(Problem.of(path, "names a constant, not an activation", "\"" + name + "\"",
            "name a tensor computed from the inputs, e.g. a LayerNorm output, or remove it"));
      } else if (!activations.contains(name)) {
        String closest = ClosestNames.of(name, activations, 3).stream().map(s -> "\"" + s + "\"")
            .collect(Collectors.joining(", "));
        problems.add(Problem.of(path, "names no tensor of the model", "\"" + name + "\"",
            "use an ONNX value name (a node output or graph input)" + (closest.isEmpty() ? "" : "; closest: " + closest)));
      }
    }
  }

  private List<Resolver.SkipList> lists() {
    Set<Resolver.SkipList> all = new LinkedHashSet<>(resolver.quantSkipLists());
    all.addAll(resolver.sparsitySkipLists());
    return List.copyOf(all);
  }

  /** Checks that a name selects a compressible node; an override must, a skip entry only warns. */
  private Optional<Node> layerName(String path, String name, boolean override) {
    Optional<Node> node = graph.node(name);
    if (node.isEmpty()) {
      List<String> pool = compressibleNames.isEmpty() ? graph.nodes().stream().map(Node::name).toList()
          : compressibleNames;
      String closest = ClosestNames.of(name, pool, 3).stream().map(s -> "\"" + s + "\"")
          .collect(Collectors.joining(", "));
      problems.add(Problem.of(path, "names no node of the model", "\"" + name + "\"",
          "use an ONNX node name ('compactor inspect' and 'compactor plan' list them)"
              + (closest.isEmpty() ? "" : "; closest: " + closest)));
      return Optional.empty();
    }
    Optional<String> why = Compressible.whyNot(graph, node.get());
    if (why.isPresent()) {
      if (override) {
        problems.add(Problem.of(path, "names an operator Compactor cannot compress: " + why.get(),
            "\"" + name + "\"", "remove the entry, or name a Conv, ConvTranspose, Gemm or MatMul with a constant weight, or a Gather on a "
                + "constant table"));
      } else {
        warnings.add(path + " (\"" + name + "\") has no effect: " + why.get());
      }
      return Optional.empty();
    }
    return node;
  }

  /** Checks that a type selects compressible nodes; an override must, a skip entry only warns. */
  private void layerType(String path, String name, boolean override) {
    LayerType type = LayerType.of(name);
    List<Node> selected = graph.nodes().stream().filter(n -> type.matches(graph, n)).toList();
    boolean anyCompressible = selected.stream().anyMatch(n -> Compressible.whyNot(graph, n).isEmpty());
    if (selected.isEmpty()) {
      Set<String> present = new TreeSet<>();
      graph.nodes().forEach(n -> present.add(n.opType()));
      Set<String> candidates = new LinkedHashSet<>(LayerType.knownNames());
      candidates.addAll(present);
      boolean typo = !type.known() && !present.contains(name);
      String hint = typo ? ClosestNames.typo(name, candidates).map(s -> "did you mean \"" + s + "\"? ").orElse("") : "";
      problems.add(Problem.of(path, "selects no operator of the model", "\"" + name + "\" (" + type.meaning() + ")",
          hint + "types with compressible operators in this model: " + String.join(", ", typesInModel())));
    } else if (!anyCompressible) {
      String why = Compressible.whyNot(graph, selected.get(0)).orElseThrow();
      if (override) {
        problems.add(Problem.of(path, "selects no operator Compactor can compress (e.g. \"" + selected.get(0).name()
            + "\": " + why + ")", "\"" + name + "\"", "remove the entry; types with compressible operators in "
            + "this model: " + String.join(", ", typesInModel())));
      } else {
        warnings.add(path + " (\"" + name + "\") has no effect: no operator it selects can be compressed");
      }
    }
  }

  private List<String> typesInModel() {
    List<String> names = LayerType.knownNames().stream().filter(t -> graph.nodes().stream()
        .anyMatch(n -> Compressible.whyNot(graph, n).isEmpty() && LayerType.of(t).matches(graph, n))).toList();
    return names.isEmpty() ? List.of("none") : names;
  }

  private void skippedAndOverridden(String path, LayerOverride o, Node node) {
    if (o.overridesQuantization()) {
      resolver.skip(node, resolver.quantSkipLists()).ifPresent(hit -> problems.add(Problem.of(
          path + "." + quantBlock(o), "overrides quantization of a layer that " + hit.field()
              + " excludes from quantization" + (hit.byType() ? " by its type \"" + hit.entry() + "\"" : ""),
          "\"" + node.name() + "\" in both", "remove it from one of them; an override and a skip entry of "
              + "one feature contradict each other")));
    }
    if (o.prune().isPresent()) {
      resolver.skip(node, resolver.sparsitySkipLists()).ifPresent(hit -> problems.add(Problem.of(
          path + ".prune_config", "overrides sparsity of a layer that " + hit.field()
              + " excludes from sparsity" + (hit.byType() ? " by its type \"" + hit.entry() + "\"" : ""),
          "\"" + node.name() + "\" in both", "remove it from one of them; an override and a skip entry of "
              + "one feature contradict each other")));
    }
  }

  private void typeSkippedAndOverridden(String path, TypeOverride o) {
    if (o.overridesQuantization()) {
      overlappingTypeSkip(o, resolver.quantSkipLists()).ifPresent(hit -> problems.add(Problem.of(
          path + "." + quantBlock(o), "overrides quantization of a type that " + hit + " excludes from quantization",
          "\"" + o.layerType() + "\" in both", "remove it from one of them")));
    }
    if (o.prune().isPresent()) {
      overlappingTypeSkip(o, resolver.sparsitySkipLists()).ifPresent(hit -> problems.add(Problem.of(
          path + ".prune_config", "overrides sparsity of a type that " + hit + " excludes from sparsity",
          "\"" + o.layerType() + "\" in both", "remove it from one of them")));
    }
  }

  private static Optional<String> overlappingTypeSkip(TypeOverride o, List<Resolver.SkipList> lists) {
    for (Resolver.SkipList list : lists) {
      if (list.types()) {
        for (String entry : list.entries()) {
          if (LayerType.of(entry).overlaps(o.type())) {
            return Optional.of(list.field() + " (\"" + entry + "\")");
          }
        }
      }
    }
    return Optional.empty();
  }

  private static String quantBlock(ConfigOverride o) {
    return o.dataQuant().isPresent() ? "retrain_data_quant_config" : "retrain_weight_quant_config";
  }
}
