package io.compactor.api;

import java.util.List;
import java.util.Optional;

/**
 * Names of the built-in capabilities, their stages and setting keys, and the service properties a
 * {@link CompressionMethod} registers with. The host chooses one provider per capability: highest
 * {@code service.ranking}, then highest bundle version. A bundle with a new capability names it itself.
 */
public final class Capabilities {
  /** Balanced L2-norm filter pruning (AMCT {@code filter_pruner}). */
  public static final String SPARSITY_FILTER = "sparsity.filter";
  /** M4N2 structured sparsity (AMCT {@code n_out_of_m_pruner}). */
  public static final String SPARSITY_2OF4 = "sparsity.2of4";
  /** INT8 quantization-aware retraining (AMCT {@code retrain_*_quant_config}). */
  public static final String QUANT_INT8 = "quant.int8";
  /**
   * Whole-model retraining distilled from the original model, after the compression steps (AMCT's retrain
   * between prepare and save); configured by the {@code compactor_retrain} block ({@link RetrainSettings}).
   *
   * @since 1.3.0
   */
  public static final String RETRAIN_DISTILL = "retrain.distill";

  /**
   * The built-in capabilities, sparsity first.
   *
   * @since 1.2.0
   */
  public static final List<String> BUILT_IN = List.of(SPARSITY_FILTER, SPARSITY_2OF4, QUANT_INT8);

  /** Service property: the capability the service provides, e.g. {@value #SPARSITY_2OF4}. */
  public static final String PROPERTY_CAPABILITY = "compactor.capability";
  /** Service property: {@code sparsity}, {@code quantization} or {@code retraining}, see {@link Stage#id()}. */
  public static final String PROPERTY_STAGE = "compactor.stage";
  /** Service property, multi-valued: the ONNX op types the method handles. */
  public static final String PROPERTY_OP_TYPES = "compactor.op-types";

  private Capabilities() {}

  /**
   * @param capability a capability name
   * @return the stage of a built-in capability; empty for any other name
   * @since 1.2.0
   */
  public static Optional<Stage> stage(String capability) {
    return switch (capability) {
      case SPARSITY_FILTER, SPARSITY_2OF4 -> Optional.of(Stage.SPARSITY);
      case QUANT_INT8 -> Optional.of(Stage.QUANTIZATION);
      case RETRAIN_DISTILL -> Optional.of(Stage.RETRAINING);
      default -> Optional.empty();
    };
  }

  /**
   * @param capability a capability name
   * @return the keys of the settings the planner hands to a built-in capability's provider; empty for any
   *     other name, and for {@value #RETRAIN_DISTILL}, whose settings are one {@link RetrainSettings} per job
   * @since 1.2.0
   */
  public static List<SettingKey<?>> settingKeys(String capability) {
    return switch (capability) {
      case SPARSITY_FILTER -> FilterPruneKeys.ALL;
      case SPARSITY_2OF4 -> TwoOfFourKeys.ALL;
      case QUANT_INT8 -> Int8Keys.ALL;
      default -> List.of();
    };
  }
}
