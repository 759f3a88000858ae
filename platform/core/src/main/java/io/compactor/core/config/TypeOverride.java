package io.compactor.core.config;

import java.util.Objects;
import java.util.Optional;

/**
 * AMCT's {@code override_layer_types} entry: settings for every operator of one layer type (an ONNX op
 * type or a PyTorch alias, see {@link LayerType}). Below name overrides, above the global blocks.
 *
 * @param layerType the type as written, e.g. {@code MatMul} or {@code Linear}
 * @param dataQuant replaces {@code retrain_data_quant_config} for these operators
 * @param weightQuant replaces {@code retrain_weight_quant_config} for these operators
 * @param prune replaces {@code prune_config} for these operators
 */
public record TypeOverride(String layerType, Optional<DataQuantConfig> dataQuant,
    Optional<WeightQuantConfig> weightQuant, Optional<PruneConfig> prune) implements ConfigOverride {
  public TypeOverride {
    Objects.requireNonNull(layerType, "layerType");
    Objects.requireNonNull(dataQuant, "dataQuant");
    Objects.requireNonNull(weightQuant, "weightQuant");
    Objects.requireNonNull(prune, "prune");
    if (layerType.isEmpty()) {
      throw new IllegalArgumentException("layer_type must not be empty");
    }
  }

  @Override
  public String target() {
    return layerType;
  }

  /** @return the operators this entry selects */
  public LayerType type() {
    return LayerType.of(layerType);
  }
}
