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
import io.compactor.core.plan.Compressible;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Turns a {@link Candidate} into an AMCT configuration: the base file's fixed parts (batch size, skip lists,
 * quantization settings, {@code compactor_retrain}) kept, global blocks for what most operators get, and
 * {@code override_layer_configs} and skip lists for the rest, embedding tables in INT8 as an
 * {@code override_layer_types} entry for {@code Gather} (tables left float in {@code quant_skip_layers}), the
 * candidate's float fallback as {@code compactor_float_activations}, and its layers equalized without an explicit
 * {@code Mul} as {@code compactor_equalization: FOLDED} in their overrides (a base's {@code NONE} stays).
 * One sparsity kind per file, as AMCT requires.
 */
final class TunedConfig {
  /** {@code batch_num} when there is no base configuration: the examples' value. */
  static final int DEFAULT_BATCH_NUM = 16;

  private final AMCTRetrainConfig base;
  private final List<Operator> operators;
  private final int batchNum;
  private final boolean alignedChannels;

  /** A configuration writer whose {@code batch_num}, unless the base sets one, is {@link #DEFAULT_BATCH_NUM}. */
  TunedConfig(AMCTRetrainConfig base, List<Operator> operators) {
    this(base, operators, DEFAULT_BATCH_NUM, false);
  }

  /**
   * @param base the base configuration ({@link AMCTRetrainConfig#getDefaultInstance()} for none)
   * @param operators every compressible operator
   * @param batchNum {@code batch_num} when the base sets none: no more than the calibration data holds
   * @param alignedChannels whether filter pruning keeps channel counts in multiples of 16
   *     ({@code ascend_optimized}) unless the base's filter block says otherwise: for {@code --objective latency}
   */
  TunedConfig(AMCTRetrainConfig base, List<Operator> operators, int batchNum, boolean alignedChannels) {
    this.base = Objects.requireNonNull(base, "base");
    this.operators = List.copyOf(operators);
    this.batchNum = batchNum;
    this.alignedChannels = alignedChannels;
  }

  /** @return the configuration that gives every operator its choice */
  AMCTRetrainConfig build(Candidate a) {
    AMCTRetrainConfig.Builder b = start();
    Map<String, RetrainOverrideLayer.Builder> overrides = new LinkedHashMap<>();
    quantization(a, b, overrides);
    sparsity(a, b, overrides);
    overrides.values().forEach(o -> b.addOverrideLayerConfigs(o.build()));
    return b.build();
  }

  /**
   * @param all the choice every operator gets
   * @param tables whether the model has embedding tables, which INT8 then opts in (a type override that selects
   *     nothing is an error)
   * @return the base with global blocks that give every operator {@code all}, no per-layer entries
   */
  AMCTRetrainConfig buildGlobal(Choice all, boolean tables) {
    AMCTRetrainConfig.Builder b = start();
    if (all.quant() != Choice.Quant.NONE) {
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

  private AMCTRetrainConfig.Builder start() {
    AMCTRetrainConfig.Builder b = base.toBuilder()
        .clearPruneConfig().clearRetrainDataQuantConfig().clearRetrainWeightQuantConfig()
        .clearOverrideLayerConfigs();
    if (!base.hasBatchNum()) {
      b.setBatchNum(batchNum);
    }
    // type overrides would fight the per-layer choices; only the opt-in layer types (Gather) stay
    b.clearOverrideLayerTypes();
    base.getOverrideLayerTypesList().stream().filter(t -> t.getLayerType().equals("Gather"))
        .forEach(b::addOverrideLayerTypes);
    return b;
  }

  /** Sets the global INT8 blocks (the base's settings, static activations) and returns the activation block. */
  private ActULQquantize.Builder globalQuant(AMCTRetrainConfig.Builder b) {
    ActULQquantize.Builder ulq = base.getRetrainDataQuantConfig().hasUlqQuantize()
        ? base.getRetrainDataQuantConfig().getUlqQuantize().toBuilder().clearCompactorDynamic()
        : ActULQquantize.newBuilder().setDstType(DataType.INT8);
    b.setRetrainDataQuantConfig(RetrainDataQuantConfig.newBuilder().setUlqQuantize(ulq.clone()));
    b.setRetrainWeightQuantConfig(base.hasRetrainWeightQuantConfig() ? base.getRetrainWeightQuantConfig()
        : RetrainWeightQuantConfig.newBuilder().setArqRetrain(ARQRetrain.newBuilder().setDstType(DataType.INT8))
            .build());
    return ulq;
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
    if (a.quantized() == 0) {
      return;
    }
    ActULQquantize.Builder ulq = globalQuant(b);
    // a base's NONE is stricter than FOLDED and stays
    boolean folding = ulq.getCompactorEqualization() != CompactorEqualization.NONE;
    // the base's own list stays (start() keeps it); the search's fallback is added to it
    a.floatActivations().stream().filter(t -> !base.getCompactorFloatActivationsList().contains(t))
        .forEach(b::addCompactorFloatActivations);
    boolean tables = operators.stream().anyMatch(op -> op.table() && a.choice(op.node()).quant() != Choice.Quant.NONE);
    if (tables) {
      optInTables(b);
    }
    for (Operator op : operators) {
      Choice c = a.choice(op.node());
      // a table left in float needs a skip entry only where a Gather type override would select it
      boolean selected = !op.table() || tables || baseOptsInTables();
      if (c.quant() == Choice.Quant.NONE && op.int8() && selected) {
        b.addQuantSkipLayers(op.node());
      } else if (c.quant() != Choice.Quant.NONE) {
        boolean dynamic = c.quant() == Choice.Quant.DYNAMIC;
        boolean folded = folding && a.foldedEqualization().contains(op.node());
        if (dynamic || folded) {
          ActULQquantize.Builder own = ulq.clone();
          if (dynamic) {
            own.setCompactorDynamic(true);
          }
          if (folded) {
            own.setCompactorEqualization(CompactorEqualization.FOLDED);
          }
          override(o, op.node()).setRetrainDataQuantConfig(RetrainDataQuantConfig.newBuilder().setUlqQuantize(own));
        }
      }
    }
  }

  private void sparsity(Candidate a, AMCTRetrainConfig.Builder b, Map<String, RetrainOverrideLayer.Builder> o) {
    Choice.Sparsity kind = a.sparsityKind();
    if (kind == Choice.Sparsity.NONE) {
      return;
    }
    double global = kind == Choice.Sparsity.FILTER ? mostCommonRatio(a) : 0;
    b.setPruneConfig(prune(kind, global));
    for (Operator op : operators) {
      Choice c = a.choice(op.node());
      boolean eligible = kind == Choice.Sparsity.FILTER ? op.filter() : op.twoOfFour();
      if (c.sparsity() == Choice.Sparsity.NONE && eligible) {
        b.addRegularPruneSkipLayers(op.node());
      } else if (c.sparsity() == Choice.Sparsity.FILTER && c.ratio() != global) {
        override(o, op.node()).setPruneConfig(prune(kind, c.ratio()));
      }
    }
  }

  private PruneConfig prune(Choice.Sparsity kind, double ratio) {
    if (kind == Choice.Sparsity.TWO_OF_FOUR) {
      return PruneConfig.newBuilder().setNOutOfMPruner(NOutOfMPruner.newBuilder().setL1SelectivePrune(
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
}
