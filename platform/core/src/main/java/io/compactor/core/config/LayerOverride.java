package io.compactor.core.config;

import java.util.Objects;
import java.util.Optional;

/**
 * AMCT's {@code override_layer_configs} entry: settings for one operator, named by its ONNX node name.
 * Highest priority.
 *
 * @param layerName the ONNX node name
 * @param dataQuant replaces {@code retrain_data_quant_config} for this operator
 * @param weightQuant replaces {@code retrain_weight_quant_config} for this operator
 * @param prune replaces {@code prune_config} for this operator
 */
public record LayerOverride(String layerName, Optional<DataQuantConfig> dataQuant,
    Optional<WeightQuantConfig> weightQuant, Optional<PruneConfig> prune) implements ConfigOverride {
  public LayerOverride {
    Objects.requireNonNull(layerName, "layerName");
    Objects.requireNonNull(dataQuant, "dataQuant");
    Objects.requireNonNull(weightQuant, "weightQuant");
    Objects.requireNonNull(prune, "prune");
    if (layerName.isEmpty()) {
      throw new IllegalArgumentException("layer_name must not be empty");
    }
  }

  @Override
  public String target() {
    return layerName;
  }
}
