package io.compactor.core.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The AMCT simplified retrain configuration ({@code AMCTRetrainConfig}): global quantization and
 * sparsity blocks, skip lists and overrides. A value holds what the file says, with proto defaults
 * filled in; which operator gets what is decided by the planner. Read one with {@link ConfigFile}.
 *
 * @param batchNum batches whose statistics initialise the quantization factors, at least 1
 * @param dataQuant global {@code retrain_data_quant_config}
 * @param weightQuant global {@code retrain_weight_quant_config}
 * @param prune global {@code prune_config}
 * <p>Skip lists hold the entries as written, so their indices match the file; a repeated entry has no
 * further effect.
 *
 * @param skipLayers names excluded from every feature
 * @param skipLayerTypes types excluded from every feature
 * @param quantSkipLayers names excluded from quantization
 * @param quantSkipTypes types excluded from quantization
 * @param regularPruneSkipLayers names excluded from sparsity
 * @param regularPruneSkipTypes types excluded from sparsity
 * @param overrideLayerTypes per-type settings, in file order
 * @param overrideLayerConfigs per-name settings, in file order
 * @param fakequantPrecisionMode activation scale precision of the fake-quant ops; absent: fp32
 * @param compactorRetrain Compactor extension {@code compactor_retrain}: whole-model retraining; absent:
 *     layer-wise recovery only
 * @param compactorFloatActivations Compactor extension {@code compactor_float_activations}: activation tensors
 *     INT8 leaves in float, as written
 */
public record RetrainConfig(int batchNum, Optional<DataQuantConfig> dataQuant,
    Optional<WeightQuantConfig> weightQuant, Optional<PruneConfig> prune, List<String> skipLayers,
    List<String> skipLayerTypes, List<String> quantSkipLayers, List<String> quantSkipTypes,
    List<String> regularPruneSkipLayers, List<String> regularPruneSkipTypes,
    List<TypeOverride> overrideLayerTypes, List<LayerOverride> overrideLayerConfigs,
    Optional<FakequantPrecisionMode> fakequantPrecisionMode, Optional<CompactorRetrain> compactorRetrain,
    List<String> compactorFloatActivations) {
  /** The proto default of {@code batch_num}. */
  public static final int DEFAULT_BATCH_NUM = 1;

  public RetrainConfig {
    if (batchNum < 1) {
      throw new IllegalArgumentException("batch_num must be at least 1, got " + batchNum);
    }
    Objects.requireNonNull(dataQuant, "dataQuant");
    Objects.requireNonNull(weightQuant, "weightQuant");
    Objects.requireNonNull(prune, "prune");
    Objects.requireNonNull(fakequantPrecisionMode, "fakequantPrecisionMode");
    Objects.requireNonNull(compactorRetrain, "compactorRetrain");
    skipLayers = List.copyOf(skipLayers);
    skipLayerTypes = List.copyOf(skipLayerTypes);
    quantSkipLayers = List.copyOf(quantSkipLayers);
    quantSkipTypes = List.copyOf(quantSkipTypes);
    regularPruneSkipLayers = List.copyOf(regularPruneSkipLayers);
    regularPruneSkipTypes = List.copyOf(regularPruneSkipTypes);
    overrideLayerTypes = List.copyOf(overrideLayerTypes);
    overrideLayerConfigs = List.copyOf(overrideLayerConfigs);
    compactorFloatActivations = List.copyOf(compactorFloatActivations);
  }

  /** @return whether quantization is on: a global activation or weight block is present */
  public boolean quantizationEnabled() {
    return dataQuant.isPresent() || weightQuant.isPresent();
  }

  /** @return whether sparsity is on: the global {@code prune_config} is present */
  public boolean sparsityEnabled() {
    return prune.isPresent();
  }

  /** @return a builder with every field absent or empty and {@code batch_num} 1 */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link RetrainConfig}; every part is optional. */
  public static final class Builder {
    private int batchNum = DEFAULT_BATCH_NUM;
    private Optional<DataQuantConfig> dataQuant = Optional.empty();
    private Optional<WeightQuantConfig> weightQuant = Optional.empty();
    private Optional<PruneConfig> prune = Optional.empty();
    private final List<String> skipLayers = new ArrayList<>();
    private final List<String> skipLayerTypes = new ArrayList<>();
    private final List<String> quantSkipLayers = new ArrayList<>();
    private final List<String> quantSkipTypes = new ArrayList<>();
    private final List<String> regularPruneSkipLayers = new ArrayList<>();
    private final List<String> regularPruneSkipTypes = new ArrayList<>();
    private final List<TypeOverride> overrideLayerTypes = new ArrayList<>();
    private final List<LayerOverride> overrideLayerConfigs = new ArrayList<>();
    private Optional<FakequantPrecisionMode> fakequantPrecisionMode = Optional.empty();
    private Optional<CompactorRetrain> compactorRetrain = Optional.empty();
    private final List<String> compactorFloatActivations = new ArrayList<>();

    private Builder() {}

    /** @return this, with {@code batch_num} set */
    public Builder batchNum(int value) {
      batchNum = value;
      return this;
    }

    /** @return this, with the global activation block set */
    public Builder dataQuant(DataQuantConfig value) {
      dataQuant = Optional.of(value);
      return this;
    }

    /** @return this, with the global weight block set */
    public Builder weightQuant(WeightQuantConfig value) {
      weightQuant = Optional.of(value);
      return this;
    }

    /** @return this, with the global sparsity block set */
    public Builder prune(PruneConfig value) {
      prune = Optional.of(value);
      return this;
    }

    /** @return this, with names added to {@code skip_layers} */
    public Builder skipLayers(List<String> names) {
      skipLayers.addAll(names);
      return this;
    }

    /** @return this, with types added to {@code skip_layer_types} */
    public Builder skipLayerTypes(List<String> types) {
      skipLayerTypes.addAll(types);
      return this;
    }

    /** @return this, with names added to {@code quant_skip_layers} */
    public Builder quantSkipLayers(List<String> names) {
      quantSkipLayers.addAll(names);
      return this;
    }

    /** @return this, with types added to {@code quant_skip_types} */
    public Builder quantSkipTypes(List<String> types) {
      quantSkipTypes.addAll(types);
      return this;
    }

    /** @return this, with names added to {@code regular_prune_skip_layers} */
    public Builder regularPruneSkipLayers(List<String> names) {
      regularPruneSkipLayers.addAll(names);
      return this;
    }

    /** @return this, with types added to {@code regular_prune_skip_types} */
    public Builder regularPruneSkipTypes(List<String> types) {
      regularPruneSkipTypes.addAll(types);
      return this;
    }

    /** @return this, with one {@code override_layer_types} entry appended */
    public Builder overrideLayerType(TypeOverride value) {
      overrideLayerTypes.add(Objects.requireNonNull(value, "value"));
      return this;
    }

    /** @return this, with one {@code override_layer_configs} entry appended */
    public Builder overrideLayerConfig(LayerOverride value) {
      overrideLayerConfigs.add(Objects.requireNonNull(value, "value"));
      return this;
    }

    /** @return this, with {@code fakequant_precision_mode} set */
    public Builder fakequantPrecisionMode(FakequantPrecisionMode value) {
      fakequantPrecisionMode = Optional.of(value);
      return this;
    }

    /** @return this, with the {@code compactor_retrain} block set */
    public Builder compactorRetrain(CompactorRetrain value) {
      compactorRetrain = Optional.of(value);
      return this;
    }

    /** @return this, with tensors added to {@code compactor_float_activations} */
    public Builder compactorFloatActivations(List<String> tensors) {
      compactorFloatActivations.addAll(tensors);
      return this;
    }

    /** @return the configuration */
    public RetrainConfig build() {
      return new RetrainConfig(batchNum, dataQuant, weightQuant, prune, skipLayers, skipLayerTypes,
          quantSkipLayers, quantSkipTypes, regularPruneSkipLayers, regularPruneSkipTypes,
          overrideLayerTypes, overrideLayerConfigs, fakequantPrecisionMode, compactorRetrain,
          compactorFloatActivations);
    }
  }
}
