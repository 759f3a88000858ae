package io.compactor.api;

/**
 * Names of the built-in capabilities and of the service properties a {@link CompressionMethod}
 * registers with. The host chooses one provider per capability: highest {@code service.ranking}, then
 * highest bundle version.
 */
public final class Capabilities {
  /** Balanced L2-norm filter pruning (AMCT {@code filter_pruner}). */
  public static final String SPARSITY_FILTER = "sparsity.filter";
  /** M4N2 structured sparsity (AMCT {@code n_out_of_m_pruner}). */
  public static final String SPARSITY_2OF4 = "sparsity.2of4";
  /** INT8 quantization-aware retraining (AMCT {@code retrain_*_quant_config}). */
  public static final String QUANT_INT8 = "quant.int8";

  /** Service property: the capability the service provides, e.g. {@value #SPARSITY_2OF4}. */
  public static final String PROPERTY_CAPABILITY = "compactor.capability";
  /** Service property: {@code sparsity} or {@code quantization}, see {@link Stage#id()}. */
  public static final String PROPERTY_STAGE = "compactor.stage";
  /** Service property, multi-valued: the ONNX op types the method handles. */
  public static final String PROPERTY_OP_TYPES = "compactor.op-types";

  private Capabilities() {}
}
