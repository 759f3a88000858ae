package io.compactor.core.plan;

import io.compactor.api.Capabilities;
import io.compactor.api.Settings;
import io.compactor.core.config.DataQuantConfig;
import io.compactor.core.config.FakequantPrecisionMode;
import io.compactor.core.config.FilterPruner;
import io.compactor.core.config.NOutOfMPruner;
import io.compactor.core.config.PruneConfig;
import io.compactor.core.config.WeightQuantConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The keys of the per-operator {@link Settings} the planner hands to each capability's provider,
 * defined once here with their type and meaning (the contract with bundles; {@code docs/config.md}
 * lists the same table and a test keeps the two in step). Names follow AMCT's compiled per-layer
 * configuration.
 */
public final class SettingKeys {
  /** sparsity.filter, Double in (0, 1): fraction of output filters to remove. */
  public static final String PRUNE_RATIO = "prune_ratio";
  /** sparsity.filter, Boolean: round the kept filter count up to a multiple of 16. */
  public static final String ASCEND_OPTIMIZED = "ascend_optimized";
  /** sparsity.2of4, String {@code M4N2}: keep 2 of every 4 input-channel weights. */
  public static final String N_OUT_OF_M_TYPE = "n_out_of_m_type";
  /** sparsity.2of4, Integer &gt;= 0: 0 freezes the mask after the first batch, k recomputes it every k. */
  public static final String UPDATE_FREQ = "update_freq";
  /** quant.int8, String {@code arq_retrain} or {@code ulq_retrain}: the weight algorithm. */
  public static final String WEIGHT_ALGO = "weight_algo";
  /** quant.int8, Boolean: per-output-channel weight scales (always false on Gemm and MatMul). */
  public static final String CHANNEL_WISE = "channel_wise";
  /** quant.int8, String {@code INT8}: the target type of weights and activations. */
  public static final String DST_TYPE = "dst_type";
  /** quant.int8, Double &gt; 0, optional: starting upper activation clip; absent: found by IFMR. */
  public static final String CLIP_MAX = "clip_max";
  /** quant.int8, Double &lt; 0, optional: starting lower activation clip; absent: found by IFMR. */
  public static final String CLIP_MIN = "clip_min";
  /** quant.int8, Boolean, optional: pin the lower clip at 0; absent: the bundle decides (true after ReLU). */
  public static final String FIXED_MIN = "fixed_min";
  /**
   * quant.int8, String {@code static} or {@code dynamic}, optional (Compactor extension {@code compactor_dynamic}):
   * dynamic quantizes MatMul activations per run; absent: static.
   */
  public static final String ACTIVATION_QUANT = "activation_quant";
  /** quant.int8, Integer &gt;= 1: batches whose statistics initialise the quantization factors. */
  public static final String BATCH_NUM = "batch_num";
  /** quant.int8, String {@code FORCE_FP16_QUANT}, optional: round activation scales to fp16 precision. */
  public static final String FAKEQUANT_PRECISION_MODE = "fakequant_precision_mode";

  /**
   * One key of the contract.
   *
   * @param name the key
   * @param capability the capability whose settings carry it
   * @param type Boolean, Double, Integer or String
   * @param always true when every operator of the capability carries it, false when only if configured
   * @param meaning what it means
   */
  public record Key(String name, String capability, String type, boolean always, String meaning) {}

  /** Every key, grouped by capability. */
  public static final List<Key> KEYS = List.of(
      new Key(PRUNE_RATIO, Capabilities.SPARSITY_FILTER, "Double", true,
          "fraction of output filters to remove, 0 < r < 1"),
      new Key(ASCEND_OPTIMIZED, Capabilities.SPARSITY_FILTER, "Boolean", true,
          "round the kept filter count up to a multiple of 16 (default true)"),
      new Key(N_OUT_OF_M_TYPE, Capabilities.SPARSITY_2OF4, "String", true, "M4N2: keep 2 of every 4"),
      new Key(UPDATE_FREQ, Capabilities.SPARSITY_2OF4, "Integer", true,
          "0: mask chosen once and frozen; k > 0: recomputed every k batches"),
      new Key(WEIGHT_ALGO, Capabilities.QUANT_INT8, "String", true, "arq_retrain or ulq_retrain"),
      new Key(CHANNEL_WISE, Capabilities.QUANT_INT8, "Boolean", true,
          "per-output-channel weight scales; default true for Conv/ConvTranspose, false for Gemm/MatMul"),
      new Key(DST_TYPE, Capabilities.QUANT_INT8, "String", true, "INT8"),
      new Key(BATCH_NUM, Capabilities.QUANT_INT8, "Integer", true,
          "batches whose statistics initialise the quantization factors"),
      new Key(CLIP_MAX, Capabilities.QUANT_INT8, "Double", false,
          "starting upper activation clip (> 0); absent: IFMR search"),
      new Key(CLIP_MIN, Capabilities.QUANT_INT8, "Double", false,
          "starting lower activation clip (< 0); absent: IFMR search"),
      new Key(FIXED_MIN, Capabilities.QUANT_INT8, "Boolean", false,
          "pin the lower activation clip at 0; absent: the bundle decides (true after a ReLU)"),
      new Key(FAKEQUANT_PRECISION_MODE, Capabilities.QUANT_INT8, "String", false,
          "FORCE_FP16_QUANT: round activation scales to fp16 precision; absent: fp32"),
      new Key(ACTIVATION_QUANT, Capabilities.QUANT_INT8, "String", false,
          "static or dynamic (Compactor extension compactor_dynamic): MatMul activations quantized per run; "
              + "absent: static"));

  private SettingKeys() {}

  /**
   * @param prune a resolved sparsity block
   * @return the settings of its capability
   */
  public static Settings sparsity(PruneConfig prune) {
    Map<String, Object> s = new LinkedHashMap<>();
    if (Objects.requireNonNull(prune, "prune") instanceof FilterPruner f) {
      s.put(PRUNE_RATIO, f.pruneRatio());
      s.put(ASCEND_OPTIMIZED, f.ascendOptimized());
    } else if (prune instanceof NOutOfMPruner n) {
      s.put(N_OUT_OF_M_TYPE, n.type().name());
      s.put(UPDATE_FREQ, n.updateFreq());
    }
    return new Settings(s);
  }

  /**
   * @param data the resolved activation block
   * @param weight the resolved weight block
   * @param channelWise the resolved per-channel flag (explicit, or the operator's default)
   * @param batchNum the configuration's {@code batch_num}
   * @param precision the configuration's {@code fakequant_precision_mode}
   * @return the {@value Capabilities#QUANT_INT8} settings
   */
  public static Settings int8(DataQuantConfig data, WeightQuantConfig weight, boolean channelWise, int batchNum,
      Optional<FakequantPrecisionMode> precision) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put(WEIGHT_ALGO, weight.algorithm().field());
    s.put(CHANNEL_WISE, channelWise);
    s.put(DST_TYPE, weight.dstType().name());
    s.put(BATCH_NUM, batchNum);
    data.clipMaxMin().ifPresent(c -> {
      s.put(CLIP_MAX, c.clipMax());
      s.put(CLIP_MIN, c.clipMin());
    });
    data.fixedMin().ifPresent(f -> s.put(FIXED_MIN, f));
    data.compactorDynamic().ifPresent(d -> s.put(ACTIVATION_QUANT, d ? "dynamic" : "static"));
    precision.ifPresent(p -> s.put(FAKEQUANT_PRECISION_MODE, p.name()));
    return new Settings(s);
  }
}
