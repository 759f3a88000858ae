package io.compactor.core.tune;

import io.compactor.core.config.proto.AmctRetrainConfigProto.AMCTRetrainConfig;
import io.compactor.core.config.proto.AmctRetrainConfigProto.ARQRetrain;
import io.compactor.core.config.proto.AmctRetrainConfigProto.ActULQquantize;
import io.compactor.core.config.proto.AmctRetrainConfigProto.BalancedL2NormFilterPruner;
import io.compactor.core.config.proto.AmctRetrainConfigProto.CompactorEqualization;
import io.compactor.core.config.proto.AmctRetrainConfigProto.DataType;
import io.compactor.core.config.proto.AmctRetrainConfigProto.FilterPruner;
import io.compactor.core.config.proto.AmctRetrainConfigProto.L1SelectivePruner;
import io.compactor.core.config.proto.AmctRetrainConfigProto.NOutOfMPruner;
import io.compactor.core.config.proto.AmctRetrainConfigProto.NOutOfMType;
import io.compactor.core.config.proto.AmctRetrainConfigProto.PruneConfig;
import io.compactor.core.config.proto.AmctRetrainConfigProto.RetrainDataQuantConfig;
import io.compactor.core.config.proto.AmctRetrainConfigProto.RetrainOverrideLayer;
import io.compactor.core.config.proto.AmctRetrainConfigProto.RetrainOverrideLayerType;
import io.compactor.core.config.proto.AmctRetrainConfigProto.RetrainWeightQuantConfig;
import io.compactor.core.config.LayerType;
import io.compactor.core.plan.Compressible;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Turns a {@link Candidate} into an AMCT configuration on top of the base: the base file's fixed parts (batch size,
 * skip lists, quantization settings, {@code compactor_retrain}) kept, global blocks for what most operators get,
 * skip lists and {@code override_layer_configs} for the rest, embedding tables in INT8 as an
 * {@code override_layer_types} entry for {@code Gather} (tables left float in {@code quant_skip_layers}), the
 * candidate's float fallback as {@code compactor_float_activations}, and its layers equalized without an explicit
 * {@code Mul} as {@code compactor_equalization: FOLDED} in their overrides (a layer whose base settings say
 * {@code NONE} keeps it). One sparsity kind per file, as AMCT requires.
 *
 * <p>The base's own overrides, by name and by type, stay wherever they do not contradict the candidate: a layer's
 * entry starts from what the planner resolves the base to for that layer (name, then type, then global block), and
 * the search's choice is written into it (its ratio, {@code compactor_dynamic}, {@code FOLDED}). Where the base
 * contradicts the choice, the choice wins and the rest of the base's entry stays: a layer the choice leaves out of a
 * feature goes into that feature's skip list and loses its override's blocks of that feature; a block of a
 * feature the candidate does not use, or of the other sparsity kind, is dropped; an operator that a kept type
 * override would give another ratio or activation form gets its own entry.
 */
final class TunedConfig {
  /** {@code batch_num} when there is no base configuration: the examples' value. */
  static final int DEFAULT_BATCH_NUM = 16;

  private final AMCTRetrainConfig base;
  private final Graph graph;
  private final List<Operator> operators;
  private final int batchNum;
  private final boolean alignedChannels;

  /** A configuration writer whose {@code batch_num}, unless the base sets one, is {@link #DEFAULT_BATCH_NUM}. */
  TunedConfig(AMCTRetrainConfig base, Graph graph, List<Operator> operators) {
    this(base, graph, operators, DEFAULT_BATCH_NUM, false);
  }

  /**
   * @param base the base configuration ({@link AMCTRetrainConfig#getDefaultInstance()} for none)
   * @param graph the model's graph, for which of the base's type overrides selects an operator
   * @param operators every compressible operator
   * @param batchNum {@code batch_num} when the base sets none: no more than the calibration data holds
   * @param alignedChannels whether filter pruning keeps channel counts in multiples of 16
   *     ({@code ascend_optimized}) unless the base's filter block says otherwise: for {@code --objective latency}
   */
  TunedConfig(AMCTRetrainConfig base, Graph graph, List<Operator> operators, int batchNum, boolean alignedChannels) {
    this.base = Objects.requireNonNull(base, "base");
    this.graph = Objects.requireNonNull(graph, "graph");
    this.operators = List.copyOf(operators);
    this.batchNum = batchNum;
    this.alignedChannels = alignedChannels;
  }

  /** @return the configuration that gives every operator its choice */
  AMCTRetrainConfig build(Candidate a) {
    Choice.Sparsity kind = a.sparsityKind();
    boolean int8 = a.quantized() > 0;
    AMCTRetrainConfig.Builder b = start(kind, int8);
    // the base's entries first, in its order, then the ones the choices need
    Map<String, RetrainOverrideLayer.Builder> overrides = new LinkedHashMap<>();
    b.getOverrideLayerConfigsList().forEach(o -> overrides.put(o.getLayerName(), o.toBuilder()));
    b.clearOverrideLayerConfigs();
    if (int8) {
      quantization(a, b, overrides);
    }
    if (kind != Choice.Sparsity.NONE) {
      sparsity(a, kind, b, overrides);
    }
    overrides.values().stream().filter(TunedConfig::setsSomething).forEach(o -> b.addOverrideLayerConfigs(o.build()));
    return b.build();
  }

  /**
   * @param all the choice every operator gets
   * @param tables whether the model has embedding tables, which INT8 then opts in (a type override that selects
   *     nothing is an error)
   * @return the base with global blocks that give every operator {@code all}, its overrides as {@link #build} keeps
   *     them
   */
  AMCTRetrainConfig buildGlobal(Choice all, boolean tables) {
    boolean int8 = all.quant() != Choice.Quant.NONE;
    AMCTRetrainConfig.Builder b = start(all.sparsity(), int8);
    if (int8) {
      globalQuant(b);
      if (tables) {
        optInTables(b);
      }
    }
    if (all.sparsity() != Choice.Sparsity.NONE) {
      b.setPruneConfig(prune(all.sparsity(), all.ratio()));
    }
    return b.build();
  }

  /**
   * @return the base without its global blocks (the candidate sets them), its overrides without the blocks of
   *     a feature the file leaves off or of the other sparsity kind (a file holds one), entries left empty dropped
   */
  private AMCTRetrainConfig.Builder start(Choice.Sparsity kind, boolean int8) {
    AMCTRetrainConfig.Builder b = base.toBuilder()
        .clearPruneConfig().clearRetrainDataQuantConfig().clearRetrainWeightQuantConfig()
        .clearOverrideLayerConfigs().clearOverrideLayerTypes();
    if (!base.hasBatchNum()) {
      b.setBatchNum(batchNum);
    }
    for (RetrainOverrideLayerType t : base.getOverrideLayerTypesList()) {
      RetrainOverrideLayerType.Builder kept = t.toBuilder();
      if (!int8) {
        kept.clearRetrainDataQuantConfig().clearRetrainWeightQuantConfig();
      }
      if (!sameKind(t.getPruneConfig(), kind)) {
        kept.clearPruneConfig();
      }
      if (kept.hasRetrainDataQuantConfig() || kept.hasRetrainWeightQuantConfig() || kept.hasPruneConfig()) {
        b.addOverrideLayerTypes(kept);
      }
    }
    for (RetrainOverrideLayer o : base.getOverrideLayerConfigsList()) {
      RetrainOverrideLayer.Builder kept = o.toBuilder();
      if (!int8) {
        clearQuantization(kept);
      }
      if (!sameKind(o.getPruneConfig(), kind)) {
        kept.clearPruneConfig();
      }
      if (setsSomething(kept)) {
        b.addOverrideLayerConfigs(kept);
      }
    }
    return b;
  }

  /** Sets the global INT8 blocks (the base's settings, static activations) and returns the activation block. */
  private ActULQquantize globalQuant(AMCTRetrainConfig.Builder b) {
    ActULQquantize ulq = base.hasRetrainDataQuantConfig()
        ? ulq(base.getRetrainDataQuantConfig()).clearCompactorDynamic().build()
        : ActULQquantize.newBuilder().setDstType(DataType.INT8).build();
    b.setRetrainDataQuantConfig(RetrainDataQuantConfig.newBuilder().setUlqQuantize(ulq));
    b.setRetrainWeightQuantConfig(base.hasRetrainWeightQuantConfig() ? base.getRetrainWeightQuantConfig()
        : RetrainWeightQuantConfig.newBuilder().setArqRetrain(ARQRetrain.newBuilder().setDstType(DataType.INT8))
            .build());
    return ulq;
  }

  /** @return the activation settings of a block; an empty block is ULQ's defaults */
  private static ActULQquantize.Builder ulq(RetrainDataQuantConfig block) {
    return block.hasUlqQuantize() ? block.getUlqQuantize().toBuilder()
        : ActULQquantize.newBuilder().setDstType(DataType.INT8);
  }

  /**
   * Opts embedding tables in to INT8 the way a person would write it: one {@code override_layer_types} entry for
   * {@code Gather} (the global blocks alone never select a table), unless the base has one already.
   */
  private void optInTables(AMCTRetrainConfig.Builder b) {
    if (!baseOptsInTables()) {
      b.addOverrideLayerTypes(RetrainOverrideLayerType.newBuilder().setLayerType(Compressible.TABLE)
          .setRetrainWeightQuantConfig(RetrainWeightQuantConfig.newBuilder()
              .setArqRetrain(ARQRetrain.newBuilder().setDstType(DataType.INT8))));
    }
  }

  private boolean baseOptsInTables() {
    return base.getOverrideLayerTypesList().stream().anyMatch(t -> t.getLayerType().equals(Compressible.TABLE));
  }

  private void quantization(Candidate a, AMCTRetrainConfig.Builder b, Map<String, RetrainOverrideLayer.Builder> o) {
    ActULQquantize global = globalQuant(b);
    // the base's own list stays (start() keeps it); the search's fallback is added to it
    a.floatActivations().stream().filter(t -> !base.getCompactorFloatActivationsList().contains(t))
        .forEach(b::addCompactorFloatActivations);
    boolean tables = operators.stream().anyMatch(op -> op.table() && a.choice(op.node()).quant() != Choice.Quant.NONE);
    if (tables) {
      optInTables(b);
    }
    for (Operator op : operators) {
      Choice c = a.choice(op.node());
      RetrainOverrideLayer.Builder named = o.get(op.node());
      if (c.quant() == Choice.Quant.NONE) {
        // the choice wins over a base entry that quantizes the layer; its other blocks stay
        if (named != null) {
          clearQuantization(named);
        }
        // a table left in float needs a skip entry only where a Gather type override would select it
        boolean selected = !op.table() || tables || baseOptsInTables();
        if (op.int8() && selected) {
          b.addQuantSkipLayers(op.node());
        }
        continue;
      }
      // the layer's base settings as the planner resolves them: its entry's block, its type entry's, the global one
      Optional<ActULQquantize> typed = baseType(op.node()).filter(RetrainOverrideLayerType::hasRetrainDataQuantConfig)
          .map(t -> ulq(t.getRetrainDataQuantConfig()).build());
      boolean ownBlock = named != null && named.hasRetrainDataQuantConfig();
      ActULQquantize inherited = typed.orElse(global);
      ActULQquantize own = withChoice(ownBlock ? ulq(named.getRetrainDataQuantConfig()) : inherited.toBuilder(),
          c.quant() == Choice.Quant.DYNAMIC, a.foldedEqualization().contains(op.node()));
      if (ownBlock || !own.equals(inherited)) {
        override(o, op.node()).setRetrainDataQuantConfig(RetrainDataQuantConfig.newBuilder().setUlqQuantize(own));
      }
    }
  }

  /** @return a layer's activation settings with the choice's form and equalization written in */
  private static ActULQquantize withChoice(ActULQquantize.Builder own, boolean dynamic, boolean folded) {
    if (dynamic) {
      own.setCompactorDynamic(true);
    } else if (own.getCompactorDynamic()) {
      own.clearCompactorDynamic();
    }
    // a base's NONE is stricter than FOLDED and stays
    if (folded && own.getCompactorEqualization() != CompactorEqualization.NONE) {
      own.setCompactorEqualization(CompactorEqualization.FOLDED);
    }
    return own.build();
  }

  private void sparsity(Candidate a, Choice.Sparsity kind, AMCTRetrainConfig.Builder b,
      Map<String, RetrainOverrideLayer.Builder> o) {
    double ratio = kind == Choice.Sparsity.FILTER ? mostCommonRatio(a) : 0;
    PruneConfig global = prune(kind, ratio);
    b.setPruneConfig(global);
    for (Operator op : operators) {
      Choice c = a.choice(op.node());
      RetrainOverrideLayer.Builder named = o.get(op.node());
      if (c.sparsity() == Choice.Sparsity.NONE) {
        // the choice wins over a base entry that prunes the layer; its other blocks stay
        if (named != null) {
          named.clearPruneConfig();
        }
        if (kind == Choice.Sparsity.FILTER ? op.filter() : op.twoOfFour()) {
          b.addRegularPruneSkipLayers(op.node());
        }
        continue;
      }
      // the layer's base settings of this kind (start() dropped the other kind's): its entry's block, its type
      // entry's, else the global one's at its ratio
      Optional<PruneConfig> typed = baseType(op.node()).map(RetrainOverrideLayerType::getPruneConfig)
          .filter(p -> sameKind(p, kind));
      boolean ownBlock = named != null && named.hasPruneConfig();
      PruneConfig own = (ownBlock ? Optional.of(named.getPruneConfig()) : typed).map(p -> withRatio(p, c.ratio()))
          .orElseGet(() -> prune(kind, c.ratio()));
      if (ownBlock || !own.equals(typed.orElse(global))) {
        override(o, op.node()).setPruneConfig(own);
      }
    }
  }

  /** @return the block with the filter ratio set (a 2:4 block as it is) */
  private static PruneConfig withRatio(PruneConfig p, double ratio) {
    if (!p.hasFilterPruner()) {
      return p;
    }
    PruneConfig.Builder b = p.toBuilder();
    b.getFilterPrunerBuilder().getBalancedL2NormFilterPruneBuilder().setPruneRatio((float) ratio);
    return b.build();
  }

  private PruneConfig prune(Choice.Sparsity kind, double ratio) {
    if (kind == Choice.Sparsity.TWO_OF_FOUR) {
      // the base's 2:4 settings (update_freq) when it asks for 2:4
      return base.getPruneConfig().hasNOutOfMPruner() ? base.getPruneConfig()
          : PruneConfig.newBuilder().setNOutOfMPruner(NOutOfMPruner.newBuilder().setL1SelectivePrune(
              L1SelectivePruner.newBuilder().setNOutOfMType(NOutOfMType.M4N2).setUpdateFreq(0))).build();
    }
    // the base's ascend_optimized when it prunes filters; otherwise off for size (rounding up to 16 channels undoes
    // the ratio) and on for latency: ONNX Runtime's blocked (NCHWc) convolutions want channel counts in multiples of
    // 8 on AVX2 (16 on AVX-512), and a count pruned off them runs slower kernels (the PP-OCR classifier, every group
    // at 0.25 on two threads: ×1.02-1.28 the original's time unaligned, ×0.84-0.90 aligned)
    FilterPruner filter = base.getPruneConfig().getFilterPruner();
    boolean ascend = filter.hasBalancedL2NormFilterPrune() ? filter.getBalancedL2NormFilterPrune().getAscendOptimized()
        : alignedChannels;
    return PruneConfig.newBuilder().setFilterPruner(FilterPruner.newBuilder().setBalancedL2NormFilterPrune(
        BalancedL2NormFilterPruner.newBuilder().setPruneRatio((float) ratio).setAscendOptimized(ascend))).build();
  }

  private static double mostCommonRatio(Candidate a) {
    Map<Double, Integer> counts = new LinkedHashMap<>();
    a.choices().values().stream().filter(c -> c.sparsity() == Choice.Sparsity.FILTER)
        .forEach(c -> counts.merge(c.ratio(), 1, Integer::sum));
    return counts.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
  }

  private static RetrainOverrideLayer.Builder override(Map<String, RetrainOverrideLayer.Builder> o, String node) {
    return o.computeIfAbsent(node, n -> RetrainOverrideLayer.newBuilder().setLayerName(n));
  }

  /** @return the base's first type entry selecting the node, as the planner picks it (overlapping ones are refused) */
  private Optional<RetrainOverrideLayerType> baseType(String node) {
    Optional<Node> n = graph.node(node);
    return n.isEmpty() ? Optional.empty() : base.getOverrideLayerTypesList().stream()
        .filter(t -> LayerType.of(t.getLayerType()).matches(graph, n.get())).findFirst();
  }

  /** @return whether a block prunes the way {@code kind} does (an absent block, the default instance, does not) */
  private static boolean sameKind(PruneConfig p, Choice.Sparsity kind) {
    return switch (kind) {
      case NONE -> false;
      case FILTER -> p.hasFilterPruner();
      case TWO_OF_FOUR -> p.hasNOutOfMPruner();
    };
  }

  private static void clearQuantization(RetrainOverrideLayer.Builder o) {
    o.clearRetrainDataQuantConfig().clearRetrainWeightQuantConfig();
  }

  /** @return whether an entry still sets a block (an empty one only draws the planner's warning) */
  private static boolean setsSomething(RetrainOverrideLayer.Builder o) {
    return o.hasRetrainDataQuantConfig() || o.hasRetrainWeightQuantConfig() || o.hasPruneConfig();
  }
}
