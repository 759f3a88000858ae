package io.compactor.core.config;

import io.compactor.core.config.proto.AmctRetrainConfigProto;
import io.compactor.core.config.proto.AmctRetrainConfigProto.AMCTRetrainConfig;
import io.compactor.core.config.proto.AmctRetrainConfigProto.ActULQquantize;
import io.compactor.core.config.proto.AmctRetrainConfigProto.BalancedL2NormFilterPruner;
import io.compactor.core.config.proto.AmctRetrainConfigProto.L1SelectivePruner;
import io.compactor.core.config.proto.AmctRetrainConfigProto.RetrainDataQuantConfig;
import io.compactor.core.config.proto.AmctRetrainConfigProto.RetrainWeightQuantConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Gives a configuration read into AMCT's schema its meaning: binds it to a {@link RetrainConfig} and checks
 * every rule that needs only the file and that the schema cannot say (ranges, required algorithms, one
 * sparsity kind, duplicate overrides); the rules that need the model are the planner's. All problems are
 * collected, each at its config path, line and column; a block with a problem is left out of the
 * best-effort configuration.
 */
final class ConfigBinder {
  /**
   * @param config the best-effort configuration: parts with problems are left out
   * @param problems every problem found in the file
   * @param warnings things that work but are probably not meant
   * @param complete false when an override or skip entry had to be left out entirely (its name or type
   *     was unusable), so the indices of the entries after it no longer match the file
   */
  record Result(RetrainConfig config, List<Problem> problems, List<String> warnings, boolean complete) {}

  private record Located(String path, PruneConfig prune) {}

  private final Diagnostics d;
  private final boolean base;
  private final List<Located> prunes = new ArrayList<>();
  private boolean complete = true;

  private ConfigBinder(Locations locations, boolean base) {
    d = new Diagnostics(locations);
    this.base = base;
  }

  /**
   * @param root the configuration as read
   * @param locations where its fields were written
   * @param base whether it is a base that a tool adds compression to ({@code tune}), so it need not enable any
   * @return the configuration it describes, with every problem found
   */
  static Result bind(AMCTRetrainConfig root, Locations locations, boolean base) {
    ConfigBinder b = new ConfigBinder(locations, base);
    RetrainConfig config = b.top(root);
    return new Result(config, b.d.problems(), b.d.warnings(), b.complete);
  }

  private RetrainConfig top(AMCTRetrainConfig r) {
    RetrainConfig.Builder b = RetrainConfig.builder();
    if (r.hasBatchNum()) {
      long n = Integer.toUnsignedLong(r.getBatchNum());
      if (n < 1 || n > Integer.MAX_VALUE) {
        d.error("batch_num", "must be from 1 to " + Integer.MAX_VALUE, String.valueOf(n),
            "give the number of batches that initialise the quantization factors, e.g. 1");
      } else {
        b.batchNum((int) n);
      }
    }
    if (r.hasRetrainDataQuantConfig()) {
      dataQuant("retrain_data_quant_config", r.getRetrainDataQuantConfig()).ifPresent(b::dataQuant);
    }
    if (r.hasRetrainWeightQuantConfig()) {
      weightQuant("retrain_weight_quant_config", r.getRetrainWeightQuantConfig()).ifPresent(b::weightQuant);
    }
    if (r.hasPruneConfig()) {
      prune("prune_config", r.getPruneConfig()).ifPresent(b::prune);
    }
    b.skipLayers(skipList("skip_layers", r.getSkipLayersList()));
    b.skipLayerTypes(skipList("skip_layer_types", r.getSkipLayerTypesList()));
    b.quantSkipLayers(skipList("quant_skip_layers", r.getQuantSkipLayersList()));
    b.quantSkipTypes(skipList("quant_skip_types", r.getQuantSkipTypesList()));
    b.regularPruneSkipLayers(skipList("regular_prune_skip_layers", r.getRegularPruneSkipLayersList()));
    b.regularPruneSkipTypes(skipList("regular_prune_skip_types", r.getRegularPruneSkipTypesList()));
    boolean intact = true;
    List<TypeOverride> typeOverrides = new ArrayList<>();
    for (int i = 0; i < r.getOverrideLayerTypesCount(); i++) {
      var m = r.getOverrideLayerTypes(i);
      String path = "override_layer_types[" + i + "]";
      Optional<String> type = target(path, "layer_type", m.hasLayerType(), m.getLayerType(),
          "an ONNX op type such as MatMul, or a PyTorch name such as Linear");
      Parts p = parts(path, type.orElse(""), m.hasRetrainDataQuantConfig() ? m.getRetrainDataQuantConfig() : null,
          m.hasRetrainWeightQuantConfig() ? m.getRetrainWeightQuantConfig() : null,
          m.hasPruneConfig() ? m.getPruneConfig() : null);
      type.map(t -> new TypeOverride(t, p.data(), p.weight(), p.prune())).ifPresent(typeOverrides::add);
      intact &= type.isPresent();
    }
    List<LayerOverride> layerOverrides = new ArrayList<>();
    for (int i = 0; i < r.getOverrideLayerConfigsCount(); i++) {
      var m = r.getOverrideLayerConfigs(i);
      String path = "override_layer_configs[" + i + "]";
      Optional<String> name = target(path, "layer_name", m.hasLayerName(), m.getLayerName(),
          "an ONNX node name (compactor inspect lists them)");
      Parts p = parts(path, name.orElse(""), m.hasRetrainDataQuantConfig() ? m.getRetrainDataQuantConfig() : null,
          m.hasRetrainWeightQuantConfig() ? m.getRetrainWeightQuantConfig() : null,
          m.hasPruneConfig() ? m.getPruneConfig() : null);
      name.map(n -> new LayerOverride(n, p.data(), p.weight(), p.prune())).ifPresent(layerOverrides::add);
      intact &= name.isPresent();
    }
    typeOverrides.forEach(b::overrideLayerType);
    layerOverrides.forEach(b::overrideLayerConfig);
    if (r.hasFakequantPrecisionMode()) {
      b.fakequantPrecisionMode(FakequantPrecisionMode.valueOf(r.getFakequantPrecisionMode().name()));
    }
    if (r.hasCompactorRetrain()) {
      CompactorRetrainBinder.bind(r.getCompactorRetrain(), d).ifPresent(b::compactorRetrain);
    }
    b.compactorFloatActivations(floatActivations(r.getCompactorFloatActivationsList()));
    boolean quant = r.hasRetrainDataQuantConfig() || r.hasRetrainWeightQuantConfig();
    if (!quant && r.getCompactorFloatActivationsCount() > 0) {
      d.warn("compactor_float_activations has no effect: quantization is off (no global retrain_data_quant_config "
          + "or retrain_weight_quant_config)");
    }
    if (!quant && !r.hasPruneConfig() && !base) {
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
    if (!r.hasPruneConfig()) {
      warnIgnored(config, "prune_config", o -> o.prune().isPresent(), "sparsity", "no global prune_config",
          List.of(r.getRegularPruneSkipLayersCount() > 0 ? "regular_prune_skip_layers" : "",
              r.getRegularPruneSkipTypesCount() > 0 ? "regular_prune_skip_types" : ""));
    }
    if (!quant) {
      warnIgnored(config, "", ConfigOverride::overridesQuantization, "quantization",
          "neither a global retrain_data_quant_config nor a global retrain_weight_quant_config",
          List.of(r.getQuantSkipLayersCount() > 0 ? "quant_skip_layers" : "",
              r.getQuantSkipTypesCount() > 0 ? "quant_skip_types" : ""));
    }
    return config;
  }

  /** Warns about every override and skip list of a feature that is off because its global block is absent. */
  private void warnIgnored(RetrainConfig config, String block, Predicate<ConfigOverride> overrides, String feature,
      String missing, List<String> usedSkipLists) {
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
    for (String list : usedSkipLists) {
      if (!list.isEmpty()) {
        d.warn(list + " has no effect: " + feature + " is off because there is " + missing);
      }
    }
  }

  /**
   * Reads a skip list as written, duplicates included so indices match the file (a duplicate only
   * warns; matching treats the list as a set).
   */
  private List<String> skipList(String field, List<String> values) {
    Set<String> seen = new HashSet<>();
    List<String> kept = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      String path = field + "[" + i + "]";
      String value = values.get(i);
      if (value.isEmpty()) {
        d.error(path, "must not be empty", "\"\"", "give an ONNX node name or layer type, or remove it");
        continue;
      }
      if (!seen.add(value)) {
        d.warn(path + " repeats \"" + value + "\"; the duplicate is ignored");
      }
      kept.add(value);
    }
    complete &= kept.size() == values.size();
    return kept;
  }

  /** Compactor extension: tensor names, non-empty, one line each (the planner checks them against the model). */
  private List<String> floatActivations(List<String> values) {
    Set<String> seen = new HashSet<>();
    List<String> kept = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      String path = "compactor_float_activations[" + i + "]";
      String value = values.get(i);
      if (value.isEmpty() || value.contains("\n")) {
        d.error(path, "must be one activation tensor name", "\"" + value.replace("\n", "\\n") + "\"",
            "give an ONNX value name such as a LayerNorm output, one per entry, or remove it");
        continue;
      }
      if (!seen.add(value)) {
        d.warn(path + " repeats \"" + value + "\"; the duplicate is ignored");
      }
      kept.add(value);
    }
    return kept;
  }

  private Optional<DataQuantConfig> dataQuant(String path, RetrainDataQuantConfig m) {
    if (!m.hasUlqQuantize()) {
      return Optional.of(DataQuantConfig.DEFAULT);
    }
    String ulqPath = path + ".ulq_quantize";
    ActULQquantize u = m.getUlqQuantize();
    int before = d.problemCount();
    Optional<ClipMaxMin> clip =
        u.hasClipMaxMin() ? clip(ulqPath + ".clip_max_min", u.getClipMaxMin()) : Optional.empty();
    Optional<Boolean> fixedMin = u.hasFixedMin() ? Optional.of(u.getFixedMin()) : Optional.empty();
    Optional<Boolean> dynamic = u.hasCompactorDynamic() ? Optional.of(u.getCompactorDynamic()) : Optional.empty();
    Optional<CompactorEqualization> equalization = u.hasCompactorEqualization()
        ? Optional.of(CompactorEqualization.valueOf(u.getCompactorEqualization().name())) : Optional.empty();
    DataType dst = dstType(ulqPath, u.hasDstType(), u.getDstType());
    return d.problemCount() > before ? Optional.empty()
        : Optional.of(new DataQuantConfig(clip, fixedMin, dst, dynamic, equalization));
  }

  private Optional<ClipMaxMin> clip(String path, AmctRetrainConfigProto.ClipMaxMin c) {
    if (c.hasClipMax() != c.hasClipMin()) {
      String missing = c.hasClipMax() ? "clip_min" : "clip_max";
      d.error(path, "clip_max and clip_min are both required", "only " + (c.hasClipMax() ? "clip_max" : "clip_min"),
          "add " + missing
              + " (clip_max positive, clip_min negative), or remove clip_max_min to let IFMR find the range");
      return Optional.empty();
    }
    if (!c.hasClipMax()) {
      d.error(path, "clip_max and clip_min are both required", "an empty clip_max_min",
          "give clip_max (positive) and clip_min (negative), or remove clip_max_min");
      return Optional.empty();
    }
    double max = decimal(c.getClipMax());
    double min = decimal(c.getClipMin());
    boolean ok = finite(path + ".clip_max", max) & finite(path + ".clip_min", min);
    if (ok && !(max > 0)) {
      d.error(path + ".clip_max", "must be positive", String.valueOf(max),
          "give the upper end of the starting clip range, e.g. 6.0 (AMCT suggests 0.3x to 1.7x the observed maximum)");
      ok = false;
    }
    if (Double.isFinite(min) && !(min < 0)) {
      d.error(path + ".clip_min", "must be negative", String.valueOf(min),
          "give the lower end of the starting clip range, e.g. -6.0; use fixed_min: true to pin it at 0");
      ok = false;
    }
    return ok ? Optional.of(new ClipMaxMin(max, min)) : Optional.empty();
  }

  /**
   * AMCT declares its ratios and clip bounds as float: the double nearest to the float's shortest decimal
   * form is what the user wrote (0.3, not 0.30000001192092896), at float precision.
   */
  private static double decimal(float value) {
    return Float.isFinite(value) ? Double.parseDouble(Float.toString(value)) : value;
  }

  /** protobuf reads {@code inf} and {@code nan} as floats; no AMCT field means them. */
  private boolean finite(String path, double value) {
    if (!Double.isFinite(value)) {
      d.error(path, "must be a finite number", String.valueOf(value), "write a number such as 0.3");
      return false;
    }
    return true;
  }

  private DataType dstType(String path, boolean has, AmctRetrainConfigProto.DataType value) {
    if (has && value != AmctRetrainConfigProto.DataType.INT8) {
      d.error(path + ".dst_type", "only INT8 is supported", value.name(),
          "set dst_type: INT8 or remove it (retraining targets INT8 only, as in every AMCT product)");
    }
    return DataType.INT8;
  }

  private Optional<WeightQuantConfig> weightQuant(String path, RetrainWeightQuantConfig m) {
    if (!m.hasArqRetrain() && !m.hasUlqRetrain()) {
      return Optional.of(WeightQuantConfig.DEFAULT);
    }
    WeightAlgorithm algo = m.hasUlqRetrain() ? WeightAlgorithm.ULQ_RETRAIN : WeightAlgorithm.ARQ_RETRAIN;
    String algoPath = path + "." + algo.field();
    boolean ulq = m.hasUlqRetrain();
    boolean hasChannelWise = ulq ? m.getUlqRetrain().hasChannelWise() : m.getArqRetrain().hasChannelWise();
    boolean channelWise = ulq ? m.getUlqRetrain().getChannelWise() : m.getArqRetrain().getChannelWise();
    boolean hasDst = ulq ? m.getUlqRetrain().hasDstType() : m.getArqRetrain().hasDstType();
    var dst = ulq ? m.getUlqRetrain().getDstType() : m.getArqRetrain().getDstType();
    int before = d.problemCount();
    DataType type = dstType(algoPath, hasDst, dst);
    return d.problemCount() > before ? Optional.empty() : Optional.of(new WeightQuantConfig(algo,
        hasChannelWise ? Optional.of(channelWise) : Optional.empty(), type));
  }

  private Optional<PruneConfig> prune(String path, AmctRetrainConfigProto.PruneConfig m) {
    if (!m.hasFilterPruner() && !m.hasNOutOfMPruner()) {
      d.error(path, "sets no pruner", "an empty prune_config",
          "add filter_pruner { balanced_l2_norm_filter_prune { prune_ratio: 0.3 } } or "
              + "n_out_of_m_pruner { l1_selective_prune { n_out_of_m_type: M4N2 } }");
      return Optional.empty();
    }
    Optional<PruneConfig> bound = m.hasFilterPruner()
        ? filter(path + ".filter_pruner", m.getFilterPruner())
        : nOutOfM(path + ".n_out_of_m_pruner", m.getNOutOfMPruner());
    bound.ifPresent(p -> prunes.add(new Located(path, p)));
    return bound;
  }

  private Optional<PruneConfig> filter(String path, AmctRetrainConfigProto.FilterPruner f) {
    if (!f.hasBalancedL2NormFilterPrune()) {
      d.error(path, "only balanced_l2_norm_filter_prune is supported", "a filter_pruner without it",
          "write filter_pruner { balanced_l2_norm_filter_prune { prune_ratio: 0.3 } }");
      return Optional.empty();
    }
    BalancedL2NormFilterPruner b = f.getBalancedL2NormFilterPrune();
    String ratioPath = path + ".balanced_l2_norm_filter_prune.prune_ratio";
    if (!b.hasPruneRatio()) {
      d.error(ratioPath, "is required", "nothing", "give the fraction of filters to remove, e.g. 0.3");
      return Optional.empty();
    }
    double ratio = decimal(b.getPruneRatio());
    if (!finite(ratioPath, ratio)) {
      return Optional.empty();
    }
    if (!(ratio > 0 && ratio < 1)) {
      d.error(ratioPath, "must be between 0 and 1 (exclusive)", String.valueOf(ratio),
          "give the fraction of output filters to remove, e.g. 0.3 (AMCT suggests 0.2)");
      return Optional.empty();
    }
    return Optional.of(new FilterPruner(ratio, b.getAscendOptimized()));
  }

  private Optional<PruneConfig> nOutOfM(String path, AmctRetrainConfigProto.NOutOfMPruner n) {
    if (!n.hasL1SelectivePrune()) {
      d.error(path, "only l1_selective_prune is supported", "an n_out_of_m_pruner without it",
          "write n_out_of_m_pruner { l1_selective_prune { n_out_of_m_type: M4N2 update_freq: 0 } }");
      return Optional.empty();
    }
    L1SelectivePruner l = n.getL1SelectivePrune();
    long freq = Integer.toUnsignedLong(l.getUpdateFreq());
    if (freq > Integer.MAX_VALUE) {
      d.error(path + ".l1_selective_prune.update_freq", "is too large", String.valueOf(freq),
          "give 0 (mask frozen after the first batch) or a batch interval up to " + Integer.MAX_VALUE);
      return Optional.empty();
    }
    return Optional.of(new NOutOfMPruner(NOutOfMType.valueOf(l.getNOutOfMType().name()), (int) freq));
  }

  private record Parts(Optional<DataQuantConfig> data, Optional<WeightQuantConfig> weight,
      Optional<PruneConfig> prune) {}

  /** Binds the three blocks an override may carry; null stands for a block the entry does not write. */
  private Parts parts(String path, String target, RetrainDataQuantConfig data, RetrainWeightQuantConfig weight,
      AmctRetrainConfigProto.PruneConfig prune) {
    Optional<DataQuantConfig> dq = data == null ? Optional.empty()
        : dataQuant(path + ".retrain_data_quant_config", data);
    Optional<WeightQuantConfig> wq = weight == null ? Optional.empty()
        : weightQuant(path + ".retrain_weight_quant_config", weight);
    Optional<PruneConfig> p = prune == null ? Optional.empty() : prune(path + ".prune_config", prune);
    if (data == null && weight == null && prune == null) {
      d.warn(path + " (\"" + target + "\") sets no retrain_data_quant_config, "
          + "retrain_weight_quant_config or prune_config; it has no effect");
    }
    return new Parts(dq, wq, p);
  }

  private Optional<String> target(String path, String field, boolean has, String value, String what) {
    if (!has) {
      d.error(path, "has no " + field, "an entry without it", "add " + field + ": \"...\", " + what);
      return Optional.empty();
    }
    if (value.isEmpty()) {
      d.error(path + "." + field, "must not be empty", "\"\"", "give " + what);
      return Optional.empty();
    }
    return Optional.of(value);
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
