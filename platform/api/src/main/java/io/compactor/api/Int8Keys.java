package io.compactor.api;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * The settings of capability {@value Capabilities#QUANT_INT8}, from AMCT's compiled quantization keys plus
 * three Compactor extensions ({@link #ACTIVATION_QUANT}, {@link #FLOAT_ACTIVATIONS}, {@link #EQUALIZATION}).
 * Since 1.4.0 the capability also takes {@code Gather} operators on a constant table (embedding tables, opt-in in
 * the configuration): their table is the weight, and they have no activation to quantize.
 *
 * @since 1.2.0
 */
public final class Int8Keys {
  private static final String SEPARATOR = "\n";
  /** The weight algorithm. */
  public static final SettingKey<String> WEIGHT_ALGO =
      SettingKey.builder(Capabilities.QUANT_INT8, "weight_algo", String.class)
          .meaning("the weight algorithm")
          .oneOf("arq_retrain", "ulq_retrain").defaultValue("arq_retrain").always().build();
  /** Per-output-channel weight scales; no fixed default: the planner resolves it per op type. */
  public static final SettingKey<Boolean> CHANNEL_WISE =
      SettingKey.builder(Capabilities.QUANT_INT8, "channel_wise", Boolean.class)
          .meaning("per-output-channel weight scales; resolved (default true for Conv/ConvTranspose, "
              + "false for Gemm/MatMul; on an embedding table's Gather: one scale per column, default true)")
          .always().build();
  /** The target type of weights and activations. */
  public static final SettingKey<String> DST_TYPE =
      SettingKey.builder(Capabilities.QUANT_INT8, "dst_type", String.class)
          .meaning("the target type of weights and activations")
          .oneOf("INT8").defaultValue("INT8").fix("only INT8 is supported").always().build();
  /** Batches whose statistics initialise the quantization factors. */
  public static final SettingKey<Integer> BATCH_NUM =
      SettingKey.builder(Capabilities.QUANT_INT8, "batch_num", Integer.class)
          .meaning("batches whose statistics initialise the quantization factors")
          .allowed(n -> n >= 1, "≥ 1").defaultValue(1).always().build();
  /** Starting upper activation clip; absent: searched. */
  public static final SettingKey<Double> CLIP_MAX =
      SettingKey.builder(Capabilities.QUANT_INT8, "clip_max", Double.class)
          .meaning("starting upper activation clip; absent: the bundle searches (IFMR)")
          .allowed(v -> v > 0, "> 0").build();
  /** Starting lower activation clip; absent: searched. */
  public static final SettingKey<Double> CLIP_MIN =
      SettingKey.builder(Capabilities.QUANT_INT8, "clip_min", Double.class)
          .meaning("starting lower activation clip; absent: the bundle searches")
          .allowed(v -> v < 0, "< 0").build();
  /** Pin the lower activation clip at 0; absent: the bundle decides. */
  public static final SettingKey<Boolean> FIXED_MIN =
      SettingKey.builder(Capabilities.QUANT_INT8, "fixed_min", Boolean.class)
          .meaning("pin the lower activation clip at 0; absent: the bundle decides (true after a ReLU)").build();
  /** Round activation scales to fp16 precision; absent: fp32. */
  public static final SettingKey<String> FAKEQUANT_PRECISION_MODE =
      SettingKey.builder(Capabilities.QUANT_INT8, "fakequant_precision_mode", String.class)
          .meaning("`FORCE_FP16_QUANT`: round activation scales to fp16 precision; absent: fp32")
          .oneOf("FORCE_FP16_QUANT").fix("use FORCE_FP16_QUANT or leave it out").build();
  /**
   * Compactor extension ({@code compactor_dynamic}): {@code dynamic} quantizes MatMul activations per run
   * instead of with a static range.
   */
  public static final SettingKey<String> ACTIVATION_QUANT =
      SettingKey.builder(Capabilities.QUANT_INT8, "activation_quant", String.class)
          .meaning("`static` or `dynamic` (from the Compactor extension `compactor_dynamic`): MatMul activations "
              + "quantized per run; absent: static")
          .oneOf("static", "dynamic").defaultValue("static").build();
  /**
   * Compactor extension ({@code compactor_float_activations}): the activation tensors of the model that stay
   * float, one name per line (read them with {@link #floatActivations(Settings)}). A layer reading one keeps
   * its weight in INT8 but its input in float; no quantization is inserted on them. The planner sets the
   * same list on every INT8 operator of a job.
   *
   * @since 1.4.0
   */
  public static final SettingKey<String> FLOAT_ACTIVATIONS =
      SettingKey.builder(Capabilities.QUANT_INT8, "float_activations", String.class)
          .meaning("activation tensors left in float (from the Compactor extension `compactor_float_activations`), "
              + "one name per line; absent: none")
          .allowed(v -> !v.isBlank() && Arrays.stream(v.split(SEPARATOR, -1)).noneMatch(String::isEmpty),
              "tensor names, one per line, none empty").build();
  /**
   * Compactor extension ({@code compactor_equalization}): where SmoothQuant-style equalization may divide the
   * layer's input. {@code with_mul}: wherever it lowers the error, as an explicit {@code Mul} in front of the
   * layer when the division folds into nothing before it; {@code folded}: only where it folds (the deploy model
   * runs no extra node); {@code none}: never. An activation read by several layers takes the strictest of theirs.
   *
   * @since 1.6.0
   */
  public static final SettingKey<String> EQUALIZATION =
      SettingKey.builder(Capabilities.QUANT_INT8, "equalization", String.class)
          .meaning("where equalization may divide the layer's input (from the Compactor extension "
              + "`compactor_equalization`): `with_mul` (an explicit `Mul` where the division folds into nothing), "
              + "`folded` (only where it folds) or `none`; absent: with_mul")
          .oneOf("with_mul", "folded", "none").defaultValue("with_mul").build();
  /** Every key, in the order of {@code docs/config.md}. */
  public static final List<SettingKey<?>> ALL = List.of(WEIGHT_ALGO, CHANNEL_WISE, DST_TYPE, BATCH_NUM, CLIP_MAX,
      CLIP_MIN, FIXED_MIN, FAKEQUANT_PRECISION_MODE, ACTIVATION_QUANT, FLOAT_ACTIVATIONS, EQUALIZATION);

  /**
   * @param names tensor names, none empty or holding a line break
   * @return the value of {@link #FLOAT_ACTIVATIONS} for them
   * @since 1.4.0
   */
  public static String joinNames(Collection<String> names) {
    for (String n : names) {
      if (n.isEmpty() || n.contains(SEPARATOR)) {
        throw new IllegalArgumentException(FLOAT_ACTIVATIONS.name() + ": a tensor name must be non-empty and on one "
            + "line, got '" + n + "'");
      }
    }
    return String.join(SEPARATOR, names);
  }

  /**
   * @param settings one operator's settings
   * @return the tensors {@link #FLOAT_ACTIVATIONS} names; empty when absent
   * @since 1.4.0
   */
  public static List<String> floatActivations(Settings settings) {
    return FLOAT_ACTIVATIONS.find(settings).map(v -> List.of(v.split(SEPARATOR, -1))).orElse(List.of());
  }

  private Int8Keys() {}
}
