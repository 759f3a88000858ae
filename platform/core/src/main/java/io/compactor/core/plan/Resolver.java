package io.compactor.core.plan;

import io.compactor.core.config.ConfigOverride;
import io.compactor.core.config.DataQuantConfig;
import io.compactor.core.config.LayerOverride;
import io.compactor.core.config.LayerType;
import io.compactor.core.config.PruneConfig;
import io.compactor.core.config.RetrainConfig;
import io.compactor.core.config.TypeOverride;
import io.compactor.core.config.WeightQuantConfig;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * AMCT's resolution rules for one operator, separately per feature: name override, then type override,
 * then the global block; skip lists are unions ({@code skip_layers} with the feature's own list, likewise
 * for types).
 */
final class Resolver {
  /** A resolved block and the config path it came from. */
  record Pick<T>(T value, String path) {}

  /** A skip-list entry that excludes an operator. */
  record SkipHit(String field, String entry, boolean byType) {
    String reason() {
      return "skipped by " + field + (byType ? " (\"" + entry + "\")" : "");
    }
  }

  /** One skip list of the configuration. */
  record SkipList(String field, List<String> entries, boolean types) {}

  private final RetrainConfig config;
  private final Graph graph;
  private final Map<String, Integer> byName = new HashMap<>();

  Resolver(RetrainConfig config, Graph graph) {
    this.config = config;
    this.graph = graph;
    List<LayerOverride> layers = config.overrideLayerConfigs();
    for (int i = 0; i < layers.size(); i++) {
      byName.putIfAbsent(layers.get(i).layerName(), i);
    }
  }

  /** @return the lists that exclude operators from quantization */
  List<SkipList> quantSkipLists() {
    return List.of(new SkipList("skip_layers", config.skipLayers(), false),
        new SkipList("quant_skip_layers", config.quantSkipLayers(), false),
        new SkipList("skip_layer_types", config.skipLayerTypes(), true),
        new SkipList("quant_skip_types", config.quantSkipTypes(), true));
  }

  /** @return the lists that exclude operators from sparsity */
  List<SkipList> sparsitySkipLists() {
    return List.of(new SkipList("skip_layers", config.skipLayers(), false),
        new SkipList("regular_prune_skip_layers", config.regularPruneSkipLayers(), false),
        new SkipList("skip_layer_types", config.skipLayerTypes(), true),
        new SkipList("regular_prune_skip_types", config.regularPruneSkipTypes(), true));
  }

  /** @return the first entry of {@code lists} that excludes the operator */
  Optional<SkipHit> skip(Node node, List<SkipList> lists) {
    for (SkipList list : lists) {
      for (String entry : list.entries()) {
        boolean hit = list.types() ? LayerType.of(entry).matches(graph, node) : entry.equals(node.name());
        if (hit) {
          return Optional.of(new SkipHit(list.field(), entry, list.types()));
        }
      }
    }
    return Optional.empty();
  }

  /** @return the index of the name override of the operator */
  Optional<Integer> nameOverride(Node node) {
    return Optional.ofNullable(byName.get(node.name()));
  }

  /** @return the index of the first type override that selects the operator */
  Optional<Integer> typeOverride(Node node) {
    List<TypeOverride> types = config.overrideLayerTypes();
    for (int i = 0; i < types.size(); i++) {
      if (types.get(i).type().matches(graph, node)) {
        return Optional.of(i);
      }
    }
    return Optional.empty();
  }

  /** @return the activation block for the operator, if any level has one */
  Optional<Pick<DataQuantConfig>> dataQuant(Node node) {
    return pick(node, ConfigOverride::dataQuant, "retrain_data_quant_config", config.dataQuant());
  }

  /** @return the weight block for the operator, if any level has one */
  Optional<Pick<WeightQuantConfig>> weightQuant(Node node) {
    return pick(node, ConfigOverride::weightQuant, "retrain_weight_quant_config", config.weightQuant());
  }

  /** @return the sparsity block for the operator, if any level has one */
  Optional<Pick<PruneConfig>> prune(Node node) {
    return pick(node, ConfigOverride::prune, "prune_config", config.prune());
  }

  private <T> Optional<Pick<T>> pick(Node node, Function<ConfigOverride, Optional<T>> part, String field,
      Optional<T> global) {
    Optional<Pick<T>> named = nameOverride(node).flatMap(i -> part.apply(config.overrideLayerConfigs().get(i))
        .map(v -> new Pick<>(v, "override_layer_configs[" + i + "]." + field)));
    if (named.isPresent()) {
      return named;
    }
    Optional<Pick<T>> typed = typeOverride(node).flatMap(i -> part.apply(config.overrideLayerTypes().get(i))
        .map(v -> new Pick<>(v, "override_layer_types[" + i + "]." + field)));
    if (typed.isPresent()) {
      return typed;
    }
    return global.map(v -> new Pick<>(v, field));
  }
}
