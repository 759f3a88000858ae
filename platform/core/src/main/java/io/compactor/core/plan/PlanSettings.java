package io.compactor.core.plan;

import io.compactor.api.Capabilities;
import io.compactor.api.FilterPruneKeys;
import io.compactor.api.Int8Keys;
import io.compactor.api.Settings;
import io.compactor.api.TwoOfFourKeys;
import io.compactor.core.config.DataQuantConfig;
import io.compactor.core.config.FakequantPrecisionMode;
import io.compactor.core.config.FilterPruner;
import io.compactor.core.config.NOutOfMPruner;
import io.compactor.core.config.PruneConfig;
import io.compactor.core.config.WeightQuantConfig;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Writes the per-operator {@link Settings} the planner hands to each capability's provider, with the api's
 * setting keys ({@link FilterPruneKeys}, {@link TwoOfFourKeys}, {@link Int8Keys}), which check each value.
 */
final class PlanSettings {
  private PlanSettings() {}

  /**
   * @param prune a resolved sparsity block
   * @return the settings of its capability
   */
  static Settings sparsity(PruneConfig prune) {
    Settings s = Settings.EMPTY;
    if (Objects.requireNonNull(prune, "prune") instanceof FilterPruner f) {
      s = s.with(FilterPruneKeys.PRUNE_RATIO, f.pruneRatio())
          .with(FilterPruneKeys.ASCEND_OPTIMIZED, f.ascendOptimized());
    } else if (prune instanceof NOutOfMPruner n) {
      s = s.with(TwoOfFourKeys.N_OUT_OF_M_TYPE, n.type().name())
          .with(TwoOfFourKeys.UPDATE_FREQ, n.updateFreq());
    }
    return s;
  }

  /**
   * @param data the resolved activation block
   * @param weight the resolved weight block
   * @param channelWise the resolved per-channel flag (explicit, or the operator's default)
   * @param batchNum the configuration's {@code batch_num}
   * @param precision the configuration's {@code fakequant_precision_mode}
   * @param floatActivations the configuration's {@code compactor_float_activations}
   * @return the {@value Capabilities#QUANT_INT8} settings
   */
  static Settings int8(DataQuantConfig data, WeightQuantConfig weight, boolean channelWise, int batchNum,
      Optional<FakequantPrecisionMode> precision, List<String> floatActivations) {
    Settings s = Settings.EMPTY
        .with(Int8Keys.WEIGHT_ALGO, weight.algorithm().field())
        .with(Int8Keys.CHANNEL_WISE, channelWise)
        .with(Int8Keys.DST_TYPE, weight.dstType().name())
        .with(Int8Keys.BATCH_NUM, batchNum);
    if (data.clipMaxMin().isPresent()) {
      s = s.with(Int8Keys.CLIP_MAX, data.clipMaxMin().get().clipMax())
          .with(Int8Keys.CLIP_MIN, data.clipMaxMin().get().clipMin());
    }
    if (data.fixedMin().isPresent()) {
      s = s.with(Int8Keys.FIXED_MIN, data.fixedMin().get());
    }
    if (data.compactorDynamic().isPresent()) {
      s = s.with(Int8Keys.ACTIVATION_QUANT, data.compactorDynamic().get() ? "dynamic" : "static");
    }
    if (data.compactorEqualization().isPresent()) {
      s = s.with(Int8Keys.EQUALIZATION, data.compactorEqualization().get().name().toLowerCase(Locale.ROOT));
    }
    if (precision.isPresent()) {
      s = s.with(Int8Keys.FAKEQUANT_PRECISION_MODE, precision.get().name());
    }
    if (!floatActivations.isEmpty()) {
      s = s.with(Int8Keys.FLOAT_ACTIVATIONS, Int8Keys.joinNames(floatActivations.stream().distinct().toList()));
    }
    return s;
  }
}
