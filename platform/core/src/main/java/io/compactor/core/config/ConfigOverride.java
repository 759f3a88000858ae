package io.compactor.core.config;

import java.util.Optional;

/**
 * An override entry: settings that replace the global blocks for the operators it selects. Only the
 * blocks present are applied; the others stay on the global path.
 */
public sealed interface ConfigOverride permits LayerOverride, TypeOverride {
  /** @return the layer name or layer type as written */
  String target();

  /** @return the activation quantization override, if any */
  Optional<DataQuantConfig> dataQuant();

  /** @return the weight quantization override, if any */
  Optional<WeightQuantConfig> weightQuant();

  /** @return the sparsity override, if any */
  Optional<PruneConfig> prune();

  /** @return whether the entry overrides quantization (activations or weights) */
  default boolean overridesQuantization() {
    return dataQuant().isPresent() || weightQuant().isPresent();
  }
}
