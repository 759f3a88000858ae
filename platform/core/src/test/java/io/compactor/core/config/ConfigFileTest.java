package io.compactor.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading both formats into the same records; AMCT's own examples (amct-config.md section 1.7). */
class ConfigFileTest {
  @TempDir Path dir;

  static RetrainConfig text(String cfg) {
    return ConfigFile.parse(cfg, ConfigFormat.TEXT, "test.cfg").orThrow();
  }

  static RetrainConfig json(String json) {
    return ConfigFile.parse(json, ConfigFormat.JSON, "test.json").orThrow();
  }

  private static final WeightQuantConfig ARQ_FALSE =
      new WeightQuantConfig(WeightAlgorithm.ARQ_RETRAIN, Optional.of(false), DataType.INT8);
  private static final WeightQuantConfig ARQ_TRUE =
      new WeightQuantConfig(WeightAlgorithm.ARQ_RETRAIN, Optional.of(true), DataType.INT8);

  private static DataQuantConfig clip(double max, double min) {
    return new DataQuantConfig(Optional.of(new ClipMaxMin(max, min)), Optional.empty(), DataType.INT8);
  }

  @Test
  void amctQuantizationOnlyExample() {
    RetrainConfig c = text("""
        batch_num: 2
        retrain_data_quant_config { ulq_quantize { clip_max_min { clip_max: 6.0 clip_min: -6.0 } dst_type: INT8 } }
        retrain_weight_quant_config { arq_retrain { channel_wise: true dst_type: INT8 } }
        quant_skip_layers: "conv1"
        override_layer_types { layer_type: "Linear"
          retrain_weight_quant_config { arq_retrain { channel_wise: false dst_type: INT8 } } }
        override_layer_configs { layer_name: "layer3.0.conv2"
          retrain_data_quant_config { ulq_quantize { clip_max_min { clip_max: 3.0 clip_min: -3.0 } dst_type: INT8 } } }
        """);
    RetrainConfig expected = RetrainConfig.builder().batchNum(2).dataQuant(clip(6, -6)).weightQuant(ARQ_TRUE)
        .quantSkipLayers(List.of("conv1"))
        .overrideLayerType(new TypeOverride("Linear", Optional.empty(), Optional.of(ARQ_FALSE), Optional.empty()))
        .overrideLayerConfig(new LayerOverride("layer3.0.conv2", Optional.of(clip(3, -3)), Optional.empty(),
            Optional.empty()))
        .build();
    assertEquals(expected, c);
    assertTrue(c.quantizationEnabled());
    assertFalse(c.sparsityEnabled());
  }

  @Test
  void amctFilterPruningOnlyExample() {
    RetrainConfig c = text("""
        prune_config { filter_pruner { balanced_l2_norm_filter_prune { prune_ratio: 0.3 ascend_optimized: true } } }
        regular_prune_skip_layers: "conv1"
        override_layer_configs { layer_name: "layer4.1.conv1"
          prune_config { filter_pruner { balanced_l2_norm_filter_prune { prune_ratio: 0.5 ascend_optimized: true } } } }
        """);
    assertEquals(Optional.of(new FilterPruner(0.3, true)), c.prune());
    assertEquals(List.of("conv1"), c.regularPruneSkipLayers());
    assertEquals(Optional.of(new FilterPruner(0.5, true)), c.overrideLayerConfigs().get(0).prune());
    assertFalse(c.quantizationEnabled());
  }

  @Test
  void amctTwoOfFourOnlyExample() {
    RetrainConfig c = text("""
        prune_config { n_out_of_m_pruner { l1_selective_prune { n_out_of_m_type: M4N2 update_freq: 0 } } }
        regular_prune_skip_types: "ConvTranspose2d"
        override_layer_configs { layer_name: "fc"
          prune_config { n_out_of_m_pruner { l1_selective_prune { n_out_of_m_type: M4N2 update_freq: 1 } } } }
        """);
    assertEquals(Optional.of(new NOutOfMPruner(NOutOfMType.M4N2, 0)), c.prune());
    assertEquals(List.of("ConvTranspose2d"), c.regularPruneSkipTypes());
    assertEquals(Optional.of(new NOutOfMPruner(NOutOfMType.M4N2, 1)), c.overrideLayerConfigs().get(0).prune());
  }

  @Test
  void amctFilterPlusInt8Example() {
    RetrainConfig c = text("""
        prune_config { filter_pruner { balanced_l2_norm_filter_prune { prune_ratio: 0.3 ascend_optimized: true } } }
        retrain_weight_quant_config { arq_retrain { channel_wise: true dst_type: INT8 } }
        # No global activation block: activations fall back to ulq_quantize with an IFMR-initialised range.
        skip_layer_types: "ConvTranspose2d"
        quant_skip_layers: "conv1"   quant_skip_types: "Conv1d"
        override_layer_types { layer_type: "Linear"
          retrain_weight_quant_config { arq_retrain { channel_wise: false dst_type: INT8 } }
          retrain_data_quant_config { ulq_quantize { clip_max_min { clip_max: 6.0 clip_min: -6.0 } dst_type: INT8 } }
          prune_config { filter_pruner { balanced_l2_norm_filter_prune { prune_ratio: 0.5 ascend_optimized: true } } } }
        """);
    assertEquals(Optional.empty(), c.dataQuant());
    assertEquals(Optional.of(ARQ_TRUE), c.weightQuant());
    assertTrue(c.quantizationEnabled(), "one global quant block is enough");
    assertEquals(List.of("ConvTranspose2d"), c.skipLayerTypes());
    assertEquals(List.of("conv1"), c.quantSkipLayers());
    assertEquals(List.of("Conv1d"), c.quantSkipTypes());
    TypeOverride linear = c.overrideLayerTypes().get(0);
    assertEquals(new TypeOverride("Linear", Optional.of(clip(6, -6)), Optional.of(ARQ_FALSE),
        Optional.of(new FilterPruner(0.5, true))), linear);
  }

  @Test
  void amctTwoOfFourPlusInt8Example() {
    RetrainConfig c = text("""
        prune_config { n_out_of_m_pruner { l1_selective_prune { n_out_of_m_type: M4N2 update_freq: 0 } } }
        retrain_data_quant_config { ulq_quantize { dst_type: INT8 } }
        retrain_weight_quant_config { arq_retrain { channel_wise: true dst_type: INT8 } }
        override_layer_types { layer_type: "Linear"
          retrain_weight_quant_config { arq_retrain { channel_wise: false dst_type: INT8 } }
          prune_config { n_out_of_m_pruner { l1_selective_prune { n_out_of_m_type: M4N2 update_freq: 1 } } } }
        """);
    assertEquals(Optional.of(DataQuantConfig.DEFAULT), c.dataQuant());
    assertEquals(Optional.of(new NOutOfMPruner(NOutOfMType.M4N2, 1)), c.overrideLayerTypes().get(0).prune());
  }

  @Test
  void defaultsFollowTheProto() {
    RetrainConfig c = text("""
        retrain_data_quant_config { }
        retrain_weight_quant_config { ulq_retrain { } }
        prune_config { filter_pruner { balanced_l2_norm_filter_prune { prune_ratio: 0.25 } } }
        """);
    assertEquals(1, c.batchNum());
    assertEquals(Optional.of(DataQuantConfig.DEFAULT), c.dataQuant());
    assertEquals(Optional.of(new WeightQuantConfig(WeightAlgorithm.ULQ_RETRAIN, Optional.empty(), DataType.INT8)),
        c.weightQuant());
    assertEquals(Optional.of(new FilterPruner(0.25, true)), c.prune(), "ascend_optimized defaults to true");
    assertEquals(Optional.of(WeightQuantConfig.DEFAULT),
        text("retrain_weight_quant_config { }").weightQuant(), "an empty weight block is arq_retrain");
    assertEquals(Optional.of(new NOutOfMPruner(NOutOfMType.M4N2, 0)),
        text("prune_config { n_out_of_m_pruner { l1_selective_prune { } } }").prune());
  }

  @Test
  void everyFieldReadsTheSameFromJsonAndText() {
    String cfg = """
        batch_num: 4
        retrain_data_quant_config { ulq_quantize { clip_max_min { clip_max: 2.5 clip_min: -1.5 } fixed_min: false dst_type: INT8 } }
        retrain_weight_quant_config { ulq_retrain { channel_wise: true dst_type: INT8 } }
        prune_config { n_out_of_m_pruner { l1_selective_prune { n_out_of_m_type: M4N2 update_freq: 3 } } }
        skip_layers: "a" skip_layers: "b"
        skip_layer_types: ["Gemm"]
        quant_skip_layers: "c"
        quant_skip_types: "Conv1d"
        regular_prune_skip_layers: "d"
        regular_prune_skip_types: "ConvTranspose"
        override_layer_types { layer_type: "Linear" retrain_weight_quant_config { arq_retrain { channel_wise: false } } }
        override_layer_configs { layer_name: "e" prune_config { n_out_of_m_pruner { l1_selective_prune { update_freq: 1 } } } }
        override_layer_configs { layer_name: "f" retrain_data_quant_config { ulq_quantize { fixed_min: true } } }
        fakequant_precision_mode: FORCE_FP16_QUANT
        """;
    String json = """
        {
          "batch_num": 4,
          "retrain_data_quant_config": {"ulq_quantize": {"clip_max_min": {"clip_max": 2.5, "clip_min": -1.5},
                                                        "fixed_min": false, "dst_type": "INT8"}},
          "retrain_weight_quant_config": {"ulq_retrain": {"channel_wise": true, "dst_type": "INT8"}},
          "prune_config": {"n_out_of_m_pruner": {"l1_selective_prune": {"n_out_of_m_type": "M4N2", "update_freq": 3}}},
          "skip_layers": ["a", "b"],
          "skip_layer_types": ["Gemm"],
          "quant_skip_layers": ["c"],
          "quant_skip_types": ["Conv1d"],
          "regular_prune_skip_layers": ["d"],
          "regular_prune_skip_types": ["ConvTranspose"],
          "override_layer_types": [
            {"layer_type": "Linear", "retrain_weight_quant_config": {"arq_retrain": {"channel_wise": false}}}],
          "override_layer_configs": [
            {"layer_name": "e", "prune_config": {"n_out_of_m_pruner": {"l1_selective_prune": {"update_freq": 1}}}},
            {"layer_name": "f", "retrain_data_quant_config": {"ulq_quantize": {"fixed_min": true}}}],
          "fakequant_precision_mode": "FORCE_FP16_QUANT"
        }
        """;
    RetrainConfig fromText = text(cfg);
    assertEquals(fromText, json(json));
    assertEquals(4, fromText.batchNum());
    assertEquals(List.of("a", "b"), fromText.skipLayers());
    assertEquals(Optional.of(FakequantPrecisionMode.FORCE_FP16_QUANT), fromText.fakequantPrecisionMode());
    assertEquals(Optional.of(true), fromText.overrideLayerConfigs().get(1).dataQuant().orElseThrow().fixedMin());
  }

  @Test
  void enumsMayBeWrittenByNumber() {
    RetrainConfig c = text("""
        retrain_weight_quant_config { arq_retrain { dst_type: 1 } }
        fakequant_precision_mode: 1
        """);
    assertEquals(Optional.of(WeightQuantConfig.DEFAULT), c.weightQuant());
    assertEquals(Optional.of(FakequantPrecisionMode.FORCE_FP16_QUANT), c.fakequantPrecisionMode());
  }

  @Test
  void readPicksTheFormatFromTheExtensionOrTheText() throws Exception {
    Path cfg = dir.resolve("c.cfg");
    Files.writeString(cfg, "prune_config { filter_pruner { balanced_l2_norm_filter_prune { prune_ratio: 0.3 } } }");
    Path js = dir.resolve("c.json");
    Files.writeString(js, "{\"prune_config\": {\"filter_pruner\": {\"balanced_l2_norm_filter_prune\": "
        + "{\"prune_ratio\": 0.3}}}}");
    Path unnamed = dir.resolve("config");
    Files.writeString(unnamed, Files.readString(js));
    assertEquals(ConfigFile.read(cfg).orThrow(), ConfigFile.read(js).orThrow());
    assertEquals(ConfigFile.read(cfg).orThrow(), ConfigFile.read(unnamed).orThrow());
    assertEquals(cfg.toString(), ConfigFile.read(cfg).source());
  }

  @Test
  void aMissingFileIsAConfigurationError() {
    InvalidConfigException e = assertThrows(InvalidConfigException.class,
        () -> ConfigFile.read(dir.resolve("absent.cfg")));
    assertTrue(e.getMessage().contains("the configuration file does not exist"), e.getMessage());
  }

  @Test
  void jsonSyntaxErrorsNameTheLine() {
    ConfigFile f = ConfigFile.parse("{\n  \"batch_num\": 2,\n  \"prune_config\" {}\n}", ConfigFormat.JSON, "x.json");
    assertEquals(1, f.problems().size());
    String m = f.problems().get(0).toString();
    assertEquals(3, f.problems().get(0).line(), m);
    assertTrue(m.contains("(line 3, column "), m);
    assertTrue(m.contains("not valid JSON"), m);
    assertFalse(f.complete());
  }

  @Test
  void jsonMustBeOneObject() {
    String m = ConfigFile.parse("[1]", ConfigFormat.JSON, "x.json").problems().get(0).message();
    assertTrue(m.contains("a JSON configuration must be one object, got '['"), m);
  }

  /** The shipped examples stay readable as the vocabulary evolves; model-specific checks are in the plan tests. */
  @Test
  void everyExampleConfigurationReadsWithoutProblems() throws Exception {
    List<Path> examples;
    try (var files = Files.walk(Path.of("../../examples"))) {
      examples = files.filter(f -> f.toString().endsWith(".cfg") || f.toString().endsWith(".json")).toList();
    }
    assertTrue(examples.size() >= 6, "examples found: " + examples);
    for (Path example : examples) {
      ConfigFile read = ConfigFile.read(example);
      assertEquals(List.of(), read.problems(), example.toString());
      assertTrue(read.orThrow().sparsityEnabled() || read.orThrow().quantizationEnabled(), example.toString());
    }
  }

  @Test
  void aBaseMayEnableNothingButMustStillBeValid() throws Exception {
    Path retrainOnly = Files.writeString(dir.resolve("base.cfg"), "compactor_retrain { epochs: 2 }\n");
    assertTrue(ConfigFile.readBase(retrainOnly).valid(), ConfigFile.readBase(retrainOnly).problems().toString());
    assertTrue(ConfigFile.readBase(retrainOnly).config().compactorRetrain().isPresent());
    assertTrue(ConfigFile.read(retrainOnly).problems().get(0).message().startsWith("nothing to do"),
        "to compress with, a configuration must still enable something");

    Path badBase = Files.writeString(dir.resolve("bad.cfg"), "compactor_retrain { epochs: 0 }\n");
    assertFalse(ConfigFile.readBase(badBase).valid(), "a base's own values are checked as ever");
  }

}
