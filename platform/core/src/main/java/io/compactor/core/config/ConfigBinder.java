package io.compactor.core.config;

import io.compactor.core.config.ConfigTree.Message;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Gives a {@link ConfigTree} its AMCT meaning: binds it to a {@link RetrainConfig} and checks every rule
 * that needs only the file (the rules that need the model are the planner's). All problems are
 * collected; a block with a problem is left out of the best-effort configuration.
 */
final class ConfigBinder {
  static final List<String> TOP = List.of("batch_num", "retrain_data_quant_config",
      "retrain_weight_quant_config", "skip_layers", "override_layer_configs", "skip_layer_types",
      "override_layer_types", "prune_config", "regular_prune_skip_layers", "regular_prune_skip_types",
      "quant_skip_layers", "quant_skip_types", "fakequant_precision_mode");
  private static final List<String> DATA = List.of("ulq_quantize");
  private static final List<String> ULQ = List.of("clip_max_min", "fixed_min", "dst_type", "compactor_dynamic");
  private static final List<String> CLIP = List.of("clip_max", "clip_min");
  private static final List<String> WEIGHT = List.of("arq_retrain", "ulq_retrain");
  private static final List<String> ALGO = List.of("dst_type", "channel_wise");
  private static final List<String> PRUNE = List.of("filter_pruner", "n_out_of_m_pruner");
  private static final List<String> FILTER = List.of("balanced_l2_norm_filter_prune");
  private static final List<String> BCP = List.of("prune_ratio", "ascend_optimized");
  private static final List<String> N_OUT_OF_M = List.of("l1_selective_prune");
  private static final List<String> L1 = List.of("n_out_of_m_type", "update_freq");
  private static final List<String> LAYER = List.of("layer_name", "retrain_data_quant_config",
      "retrain_weight_quant_config", "prune_config");
  private static final List<String> TYPE = List.of("layer_type", "retrain_data_quant_config",
      "retrain_weight_quant_config", "prune_config");
  private static final List<String> GLOBAL_BLOCKS =
      List.of("retrain_data_quant_config", "retrain_weight_quant_config", "prune_config");

  /**
   * @param config the best-effort configuration: parts with problems are left out
   * @param problems every problem found in the file
   * @param warnings things that work but are probably not meant
   * @param complete false when an override or skip entry had to be left out entirely (its name or type
   *     was unusable), so the indices of the entries after it no longer match the file
   */
  record Result(RetrainConfig config, List<Problem> problems, List<String> warnings, boolean complete) {}

  private record Located(String path, PruneConfig prune) {}

  private final Diagnostics d = new Diagnostics();
  private final List<Located> prunes = new ArrayList<>();
  private boolean complete = true;

  private ConfigBinder() {}

  /** @return the configuration the tree describes, with every problem found */
  static Result bind(Message root) {
    ConfigBinder b = new ConfigBinder();
    RetrainConfig config = b.top(new MessageReader("", root, TOP, b.d));
    return new Result(config, b.d.problems(), b.d.warnings(), b.complete);
  }

  private RetrainConfig top(MessageReader r) {
    RetrainConfig.Builder b = RetrainConfig.builder();
    r.unsigned("batch_num").ifPresent(n -> {
      if (n < 1 || n > Integer.MAX_VALUE) {
        d.error(r.path("batch_num"), "must be from 1 to " + Integer.MAX_VALUE, String.valueOf(n),
            "give the number of batches that initialise the quantization factors, e.g. 1");
      } else {
        b.batchNum(n.intValue());
      }
    });
    r.message("retrain_data_quant_config", DATA).flatMap(this::dataQuant).ifPresent(b::dataQuant);
    r.message("retrain_weight_quant_config", WEIGHT).flatMap(this::weightQuant).ifPresent(b::weightQuant);
    r.message("prune_config", PRUNE).flatMap(this::prune).ifPresent(b::prune);
    b.skipLayers(skipList(r, "skip_layers"));
    b.skipLayerTypes(skipList(r, "skip_layer_types"));
    b.quantSkipLayers(skipList(r, "quant_skip_layers"));
    b.quantSkipTypes(skipList(r, "quant_skip_types"));
    b.regularPruneSkipLayers(skipList(r, "regular_prune_skip_layers"));
    b.regularPruneSkipTypes(skipList(r, "regular_prune_skip_types"));
    List<MessageReader> types = r.messages("override_layer_types", TYPE);
    List<MessageReader> layers = r.messages("override_layer_configs", LAYER);
    boolean intact = types.size() == r.count("override_layer_types")
        && layers.size() == r.count("override_layer_configs");
    List<TypeOverride> typeOverrides = new ArrayList<>();
    for (MessageReader m : types) {
      Optional<TypeOverride> o = typeOverride(m);
      o.ifPresent(typeOverrides::add);
      intact &= o.isPresent();
    }
    List<LayerOverride> layerOverrides = new ArrayList<>();
    for (MessageReader m : layers) {
      Optional<LayerOverride> o = layerOverride(m);
      o.ifPresent(layerOverrides::add);
      intact &= o.isPresent();
    }
    typeOverrides.forEach(b::overrideLayerType);
    layerOverrides.forEach(b::overrideLayerConfig);
    r.enumeration("fakequant_precision_mode", FakequantPrecisionMode.class, FakequantPrecisionMode::number)
        .ifPresent(b::fakequantPrecisionMode);
    if (GLOBAL_BLOCKS.stream().noneMatch(r::has)) {
      d.error("", "nothing to do: the configuration enables neither quantization nor sparsity",
          "no retrain_data_quant_config, retrain_weight_quant_config or prune_config",
          "add a global prune_config and/or retrain_weight_quant_config (overrides alone enable nothing)");
    }
    complete &= intact;
    if (intact) {
      checkDuplicates(typeOverrides, layerOverrides);
    }
    checkOneSparsityKind();
    RetrainConfig config = b.build();
    if (!r.has("prune_config")) {
      warnIgnored(config, "prune_config", o -> o.prune().isPresent(), "sparsity", "no global prune_config",
          List.of("regular_prune_skip_layers", "regular_prune_skip_types"), r);
    }
    if (!r.has("retrain_data_quant_config") && !r.has("retrain_weight_quant_config")) {
      warnIgnored(config, "", ConfigOverride::overridesQuantization, "quantization",
          "neither a global retrain_data_quant_config nor a global retrain_weight_quant_config",
          List.of("quant_skip_layers", "quant_skip_types"), r);
    }
    return config;
  }

  /** Warns about every override and skip list of a feature that is off because its global block is absent. */
  private void warnIgnored(RetrainConfig config, String block, Predicate<ConfigOverride> overrides, String feature,
      String missing, List<String> skipLists, MessageReader r) {
    List<ConfigOverride> all = new ArrayList<>(config.overrideLayerTypes());
    all.addAll(config.overrideLayerConfigs());
    int types = config.overrideLayerTypes().size();
    for (int i = 0; i < all.size(); i++) {
      ConfigOverride o = all.get(i);
      if (overrides.test(o)) {
        String path = (i < types ? "override_layer_types[" + i : "override_layer_configs[" + (i - types)) + "]";
        String what = block.isEmpty() ? (o.dataQuant().isPresent() ? "retrain_data_quant_config"
            : "retrain_weight_quant_config") : block;
        d.warn(path + "." + what + " (\"" + o.target() + "\") is ignored: " + feature + " is off because there is "
            + missing + "; add the global block to enable " + feature + " (overrides alone enable nothing)");
      }
    }
    for (String list : skipLists) {
      if (r.count(list) > 0) {
        d.warn(list + " has no effect: " + feature + " is off because there is " + missing);
      }
    }
  }

  /**
   * Reads a skip list as written, duplicates included so indices match the file (a duplicate only
   * warns; matching treats the list as a set).
   */
  private List<String> skipList(MessageReader r, String field) {
    Set<String> seen = new HashSet<>();
    List<String> kept = new ArrayList<>();
    for (MessageReader.Element e : r.strings(field)) {
      if (e.value().isEmpty()) {
        d.error(e.path(), "must not be empty", "\"\"", "give an ONNX node name or layer type, or remove it");
        continue;
      }
      if (!seen.add(e.value())) {
        d.warn(e.path() + " repeats \"" + e.value() + "\"; the duplicate is ignored");
      }
      kept.add(e.value());
    }
    complete &= kept.size() == r.count(field);
    return kept;
  }

  private Optional<DataQuantConfig> dataQuant(MessageReader m) {
    if (!m.has("ulq_quantize")) {
      return Optional.of(DataQuantConfig.DEFAULT);
    }
    return m.message("ulq_quantize", ULQ).flatMap(u -> {
      int before = d.problemCount();
      Optional<ClipMaxMin> clip = u.message("clip_max_min", CLIP).flatMap(this::clip);
      Optional<Boolean> fixedMin = u.bool("fixed_min");
      Optional<Boolean> dynamic = u.bool("compactor_dynamic");
      DataType dst = dstType(u);
      return d.problemCount() > before ? Optional.empty()
          : Optional.of(new DataQuantConfig(clip, fixedMin, dst, dynamic));
    });
  }

  private Optional<ClipMaxMin> clip(MessageReader c) {
    Optional<Double> max = c.number("clip_max");
    Optional<Double> min = c.number("clip_min");
    if (c.has("clip_max") != c.has("clip_min")) {
      String missing = c.has("clip_max") ? "clip_min" : "clip_max";
      d.error(c.path(), "clip_max and clip_min are both required", "only "
          + (c.has("clip_max") ? "clip_max" : "clip_min"), "add " + missing
          + " (clip_max positive, clip_min negative), or remove clip_max_min to let IFMR find the range");
      return Optional.empty();
    }
    if (!c.has("clip_max")) {
      d.error(c.path(), "clip_max and clip_min are both required", "an empty clip_max_min",
          "give clip_max (positive) and clip_min (negative), or remove clip_max_min");
      return Optional.empty();
    }
    boolean ok = max.isPresent() && min.isPresent();
    if (max.isPresent() && !(max.get() > 0)) {
      d.error(c.path("clip_max"), "must be positive", String.valueOf(max.get()),
          "give the upper end of the starting clip range, e.g. 6.0 (AMCT suggests 0.3x to 1.7x the observed maximum)");
      ok = false;
    }
    if (min.isPresent() && !(min.get() < 0)) {
      d.error(c.path("clip_min"), "must be negative", String.valueOf(min.get()),
          "give the lower end of the starting clip range, e.g. -6.0; use fixed_min: true to pin it at 0");
      ok = false;
    }
    return ok ? Optional.of(new ClipMaxMin(max.get(), min.get())) : Optional.empty();
  }

  private DataType dstType(MessageReader m) {
    Optional<DataType> t = m.enumeration("dst_type", DataType.class, DataType::number);
    if (t.isPresent() && t.get() != DataType.INT8) {
      d.error(m.path("dst_type"), "only INT8 is supported", t.get().name(),
          "set dst_type: INT8 or remove it (retraining targets INT8 only, as in every AMCT product)");
    }
    return DataType.INT8;
  }

  private Optional<WeightQuantConfig> weightQuant(MessageReader m) {
    if (m.has("arq_retrain") && m.has("ulq_retrain")) {
      d.error(m.path(), "sets two members of the oneof weights_retrain_algo", "arq_retrain and ulq_retrain",
          "keep one of them (arq_retrain is recommended for weights)");
      return Optional.empty();
    }
    WeightAlgorithm algo = m.has("ulq_retrain") ? WeightAlgorithm.ULQ_RETRAIN : WeightAlgorithm.ARQ_RETRAIN;
    if (!m.has(algo.field())) {
      return Optional.of(WeightQuantConfig.DEFAULT);
    }
    return m.message(algo.field(), ALGO).flatMap(a -> {
      int before = d.problemCount();
      Optional<Boolean> channelWise = a.bool("channel_wise");
      DataType dst = dstType(a);
      return d.problemCount() > before ? Optional.empty()
          : Optional.of(new WeightQuantConfig(algo, channelWise, dst));
    });
  }

  private Optional<PruneConfig> prune(MessageReader m) {
    if (m.has("filter_pruner") && m.has("n_out_of_m_pruner")) {
      d.error(m.path(), "sets two members of the oneof regular_prune_strategy",
          "filter_pruner and n_out_of_m_pruner",
          "keep one: a run uses filter pruning or 2:4 sparsity, never both");
      return Optional.empty();
    }
    if (!m.has("filter_pruner") && !m.has("n_out_of_m_pruner")) {
      d.error(m.path(), "sets no pruner", "an empty prune_config",
          "add filter_pruner { balanced_l2_norm_filter_prune { prune_ratio: 0.3 } } or "
              + "n_out_of_m_pruner { l1_selective_prune { n_out_of_m_type: M4N2 } }");
      return Optional.empty();
    }
    Optional<PruneConfig> bound = m.has("filter_pruner")
        ? m.message("filter_pruner", FILTER).flatMap(this::filter)
        : m.message("n_out_of_m_pruner", N_OUT_OF_M).flatMap(this::nOutOfM);
    bound.ifPresent(p -> prunes.add(new Located(m.path(), p)));
    return bound;
  }

  private Optional<PruneConfig> filter(MessageReader f) {
    if (!f.has("balanced_l2_norm_filter_prune")) {
      d.error(f.path(), "only balanced_l2_norm_filter_prune is supported", "a filter_pruner without it",
          "write filter_pruner { balanced_l2_norm_filter_prune { prune_ratio: 0.3 } }");
      return Optional.empty();
    }
    return f.message("balanced_l2_norm_filter_prune", BCP).flatMap(b -> {
      int before = d.problemCount();
      Optional<Double> ratio = b.number("prune_ratio");
      boolean ascend = b.bool("ascend_optimized").orElse(true);
      if (!b.has("prune_ratio")) {
        d.error(b.path("prune_ratio"), "is required", "nothing", "give the fraction of filters to remove, e.g. 0.3");
      } else if (ratio.isPresent() && !(ratio.get() > 0 && ratio.get() < 1)) {
        d.error(b.path("prune_ratio"), "must be between 0 and 1 (exclusive)", String.valueOf(ratio.get()),
            "give the fraction of output filters to remove, e.g. 0.3 (AMCT suggests 0.2)");
      }
      return d.problemCount() > before || ratio.isEmpty() ? Optional.empty()
          : Optional.of(new FilterPruner(ratio.get(), ascend));
    });
  }

  private Optional<PruneConfig> nOutOfM(MessageReader n) {
    if (!n.has("l1_selective_prune")) {
      d.error(n.path(), "only l1_selective_prune is supported", "an n_out_of_m_pruner without it",
          "write n_out_of_m_pruner { l1_selective_prune { n_out_of_m_type: M4N2 update_freq: 0 } }");
      return Optional.empty();
    }
    return n.message("l1_selective_prune", L1).flatMap(l -> {
      int before = d.problemCount();
      NOutOfMType type = l.enumeration("n_out_of_m_type", NOutOfMType.class, NOutOfMType::number)
          .orElse(NOutOfMType.M4N2);
      Optional<Long> freq = l.unsigned("update_freq");
      if (freq.isPresent() && freq.get() > Integer.MAX_VALUE) {
        d.error(l.path("update_freq"), "is too large", String.valueOf(freq.get()),
            "give 0 (mask frozen after the first batch) or a batch interval up to " + Integer.MAX_VALUE);
      }
      return d.problemCount() > before ? Optional.empty()
          : Optional.of(new NOutOfMPruner(type, freq.orElse(0L).intValue()));
    });
  }

  private Optional<TypeOverride> typeOverride(MessageReader m) {
    Optional<String> type = target(m, "layer_type", "an ONNX op type such as MatMul, or a PyTorch name such as Linear");
    Parts p = parts(m, type.orElse(""));
    return type.map(t -> new TypeOverride(t, p.data(), p.weight(), p.prune()));
  }

  private Optional<LayerOverride> layerOverride(MessageReader m) {
    Optional<String> name = target(m, "layer_name", "an ONNX node name (compactor inspect lists them)");
    Parts p = parts(m, name.orElse(""));
    return name.map(n -> new LayerOverride(n, p.data(), p.weight(), p.prune()));
  }

  private record Parts(Optional<DataQuantConfig> data, Optional<WeightQuantConfig> weight,
      Optional<PruneConfig> prune) {}

  private Parts parts(MessageReader m, String target) {
    Optional<DataQuantConfig> data = m.message("retrain_data_quant_config", DATA).flatMap(this::dataQuant);
    Optional<WeightQuantConfig> weight =
        m.message("retrain_weight_quant_config", WEIGHT).flatMap(this::weightQuant);
    Optional<PruneConfig> prune = m.message("prune_config", PRUNE).flatMap(this::prune);
    if (GLOBAL_BLOCKS.stream().noneMatch(m::has)) {
      d.warn(m.path() + " (\"" + target + "\") sets no retrain_data_quant_config, "
          + "retrain_weight_quant_config or prune_config; it has no effect");
    }
    return new Parts(data, weight, prune);
  }

  private Optional<String> target(MessageReader m, String field, String what) {
    if (!m.has(field)) {
      d.error(m.path(), "has no " + field, "an entry without it", "add " + field + ": \"...\", " + what);
      return Optional.empty();
    }
    Optional<String> v = m.string(field);
    if (v.isPresent() && v.get().isEmpty()) {
      d.error(m.path(field), "must not be empty", "\"\"", "give " + what);
      return Optional.empty();
    }
    return v;
  }

  private void checkDuplicates(List<TypeOverride> types, List<LayerOverride> layers) {
    Map<String, Integer> names = new HashMap<>();
    for (int i = 0; i < layers.size(); i++) {
      Integer first = names.putIfAbsent(layers.get(i).layerName(), i);
      if (first != null) {
        d.error("override_layer_configs[" + i + "].layer_name", "repeats override_layer_configs[" + first
            + "] (AMCT: Please delete repeated items)", "\"" + layers.get(i).layerName() + "\"",
            "merge the two entries into one");
      }
    }
    for (int i = 0; i < types.size(); i++) {
      for (int j = 0; j < i; j++) {
        LayerType a = types.get(j).type();
        LayerType b = types.get(i).type();
        if (a.overlaps(b)) {
          String what = a.name().equals(b.name()) ? "repeats override_layer_types[" + j + "]"
              : "selects operators that override_layer_types[" + j + "] (\"" + a.name() + "\", " + a.meaning()
                  + ") also selects";
          d.error("override_layer_types[" + i + "].layer_type", what, "\"" + b.name() + "\" (" + b.meaning() + ")",
              "merge the two entries into one, so every operator has at most one type override");
          break;
        }
      }
    }
  }

  private void checkOneSparsityKind() {
    if (prunes.isEmpty()) {
      return;
    }
    Located first = prunes.get(0);
    for (Located p : prunes) {
      if (!p.prune().field().equals(first.prune().field())) {
        d.error(p.path(), "requests " + p.prune().label() + " (" + p.prune().field() + ") while "
            + first.path() + " requests " + first.prune().label() + " (" + first.prune().field() + ")",
            p.prune().field(), "use one sparsity kind in the whole file: filter pruning and 2:4 never combine");
      }
    }
  }
}
