package io.compactor.core.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.api.Capabilities;
import io.compactor.api.Int8Keys;
import io.compactor.api.LayerTask;
import io.compactor.api.Settings;
import io.compactor.api.Stage;
import io.compactor.api.TwoOfFourKeys;
import io.compactor.core.config.ConfigFile;
import io.compactor.core.config.ConfigFormat;
import io.compactor.core.plan.Assignment.Decision;
import io.compactor.onnx.fixtures.TestModels;
import io.compactor.onnx.graph.OnnxModel;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Resolution, skip unions, aliases, eligibility and providers. */
class PlannerTest {
  static final String INT8 = "retrain_weight_quant_config { arq_retrain { } }\n";
  static final String TWO_OF_FOUR = "prune_config { n_out_of_m_pruner { l1_selective_prune { } } }\n";
  static final String FILTER = "prune_config { filter_pruner { balanced_l2_norm_filter_prune { prune_ratio: 0.3 } } }\n";

  static Plan plan(MethodCatalog catalog, OnnxModel model, String cfg) {
    return new Planner(catalog).plan(model, ConfigFile.parse(cfg, ConfigFormat.TEXT, "t.cfg"));
  }

  static Plan plan(String cfg) {
    return plan(TestMethods.all(), PlanModels.zoo(false), cfg);
  }

  static OperatorPlan op(Plan p, String node) {
    return p.operator(node).orElseThrow(() -> new AssertionError(node + " not in plan"));
  }

  @Test
  void everyConvGemmAndMatMulIsListedInTopologicalOrder() {
    Plan p = plan(INT8);
    assertEquals(List.of("stem", "rgb_conv", "dw", "pw", "up", "fc1", "proj", "gram", "head", "seq_conv"),
        p.operators().stream().map(OperatorPlan::node).toList());
    OperatorPlan gram = op(p, "gram");
    assertEquals(Decision.UNSUPPORTED, gram.quantization().decision());
    assertTrue(gram.quantization().reason().contains("weight input 'proj_t.out' is not a constant initializer "
        + "(it is computed by Transpose node 'proj_t')"), gram.quantization().reason());
  }

  @Test
  void weightsHeldInConstantNodesAreCompressible() {
    Plan p = plan(TestMethods.all(), TestModels.residualCnn(1, true), INT8);
    assertEquals(List.of("conv1", "conv2", "fc"), p.operators().stream().map(OperatorPlan::node).toList());
    assertTrue(p.operators().stream().allMatch(o -> o.quantization().applied()), p.operators().toString());
  }

  @Test
  void nameOverrideBeatsTypeOverrideBeatsGlobalPerFeature() {
    Plan p = plan(TWO_OF_FOUR + """
        retrain_data_quant_config { ulq_quantize { clip_max_min { clip_max: 6 clip_min: -6 } } }
        retrain_weight_quant_config { arq_retrain { } }
        override_layer_types { layer_type: "Gemm"
          retrain_weight_quant_config { ulq_retrain { } }
          prune_config { n_out_of_m_pruner { l1_selective_prune { update_freq: 2 } } } }
        override_layer_configs { layer_name: "head"
          prune_config { n_out_of_m_pruner { l1_selective_prune { update_freq: 5 } } } }
        """);
    // head: sparsity from its name override; weights still from the Gemm type override; activations global
    OperatorPlan head = op(p, "head");
    assertEquals(Optional.of(5.0), head.sparsity().settings().number(TwoOfFourKeys.UPDATE_FREQ.name()));
    assertEquals("override_layer_configs[0].prune_config", head.sparsity().source());
    assertEquals(Optional.of("ulq_retrain"), head.quantization().settings().string(Int8Keys.WEIGHT_ALGO.name()));
    assertEquals(Optional.of(6.0), head.quantization().settings().number(Int8Keys.CLIP_MAX.name()));
    assertEquals("activations: retrain_data_quant_config; weights: override_layer_types[0].retrain_weight_quant_config",
        head.quantization().source());
    // fc1: a Gemm without a name override takes the type override for both features
    OperatorPlan fc1 = op(p, "fc1");
    assertEquals(Optional.of(2.0), fc1.sparsity().settings().number(TwoOfFourKeys.UPDATE_FREQ.name()));
    assertEquals(Optional.of("ulq_retrain"), fc1.quantization().settings().string(Int8Keys.WEIGHT_ALGO.name()));
    // proj: a MatMul is not a Gemm; global everywhere
    OperatorPlan proj = op(p, "proj");
    assertEquals(Optional.of(0.0), proj.sparsity().settings().number(TwoOfFourKeys.UPDATE_FREQ.name()));
    assertEquals("prune_config", proj.sparsity().source());
    assertEquals(Optional.of("arq_retrain"), proj.quantization().settings().string(Int8Keys.WEIGHT_ALGO.name()));
  }

  @Test
  void theCompactorDynamicExtensionBecomesTheActivationQuantSetting() {
    Plan p = plan("""
        retrain_data_quant_config { ulq_quantize { compactor_dynamic: true } }
        override_layer_configs { layer_name: "proj"
          retrain_data_quant_config { ulq_quantize { compactor_dynamic: false } } }
        """);
    assertEquals(Optional.of("dynamic"),
        op(p, "stem").quantization().settings().string(Int8Keys.ACTIVATION_QUANT.name()));
    assertEquals(Optional.of("static"),
        op(p, "proj").quantization().settings().string(Int8Keys.ACTIVATION_QUANT.name()));
    assertEquals(Optional.empty(), op(plan("retrain_data_quant_config { ulq_quantize { } }"), "stem").quantization()
        .settings().get(Int8Keys.ACTIVATION_QUANT.name()), "absent unless configured");
  }

  @Test
  void theCompactorEqualizationExtensionBecomesTheEqualizationSetting() {
    Plan p = plan("""
        retrain_data_quant_config { ulq_quantize { compactor_equalization: FOLDED } }
        override_layer_configs { layer_name: "proj"
          retrain_data_quant_config { ulq_quantize { compactor_equalization: NONE } } }
        """);
    assertEquals(Optional.of("folded"), op(p, "stem").quantization().settings().string(Int8Keys.EQUALIZATION.name()));
    assertEquals(Optional.of("none"), op(p, "proj").quantization().settings().string(Int8Keys.EQUALIZATION.name()));
    Plan json = new Planner(TestMethods.all()).plan(PlanModels.zoo(false), ConfigFile.parse("""
        {"retrain_data_quant_config": {"ulq_quantize": {"compactor_equalization": "WITH_MUL"}}}
        """, ConfigFormat.JSON, "t.json"));
    assertEquals(Optional.of("with_mul"),
        op(json, "stem").quantization().settings().string(Int8Keys.EQUALIZATION.name()));
    assertEquals(Optional.empty(), op(plan("retrain_data_quant_config { ulq_quantize { } }"), "stem").quantization()
        .settings().get(Int8Keys.EQUALIZATION.name()), "absent unless configured");
  }

  @Test
  void settingsCarryTheContractKeys() {
    Plan p = plan(FILTER + """
        batch_num: 3
        fakequant_precision_mode: FORCE_FP16_QUANT
        retrain_data_quant_config { ulq_quantize { fixed_min: true } }
        retrain_weight_quant_config { arq_retrain { } }
        """);
    assertEquals(Map.of("prune_ratio", 0.3, "ascend_optimized", true), op(p, "stem").sparsity().settings().asMap());
    assertEquals(Map.of("weight_algo", "arq_retrain", "channel_wise", true, "dst_type", "INT8", "batch_num", 3,
        "fixed_min", true, "fakequant_precision_mode", "FORCE_FP16_QUANT"), op(p, "stem").quantization().settings().asMap());
    assertEquals(Optional.of(false), op(p, "proj").quantization().settings().bool(Int8Keys.CHANNEL_WISE.name()),
        "channel_wise defaults to false on MatMul");
    assertEquals(Optional.of(true), op(p, "up").quantization().settings().bool(Int8Keys.CHANNEL_WISE.name()),
        "and to true on ConvTranspose");
    Settings twoOfFour = op(plan(TWO_OF_FOUR), "stem").sparsity().settings();
    assertEquals(Map.of("n_out_of_m_type", "M4N2", "update_freq", 0), twoOfFour.asMap());
  }

  @Test
  void skipListsAreUnionsPerFeature() {
    Plan p = plan(TWO_OF_FOUR + INT8 + """
        skip_layers: "stem"
        quant_skip_layers: "pw"
        regular_prune_skip_layers: "proj"
        skip_layer_types: "ConvTranspose2d"
        quant_skip_types: "Conv1d"
        regular_prune_skip_types: "Linear"
        """);
    assertEquals("skipped by skip_layers", op(p, "stem").sparsity().reason());
    assertEquals("skipped by skip_layers", op(p, "stem").quantization().reason());
    assertEquals(Decision.SKIPPED, op(p, "pw").quantization().decision());
    assertTrue(op(p, "pw").sparsity().applied(), "quant_skip_layers leaves sparsity alone");
    assertEquals("skipped by regular_prune_skip_layers", op(p, "proj").sparsity().reason());
    assertTrue(op(p, "proj").quantization().applied(), "regular_prune_skip_layers leaves quantization alone");
    assertEquals("skipped by skip_layer_types (\"ConvTranspose2d\")", op(p, "up").sparsity().reason());
    assertEquals("skipped by skip_layer_types (\"ConvTranspose2d\")", op(p, "up").quantization().reason());
    assertEquals("skipped by quant_skip_types (\"Conv1d\")", op(p, "seq_conv").quantization().reason());
    assertEquals("skipped by regular_prune_skip_types (\"Linear\")", op(p, "fc1").sparsity().reason());
    assertEquals("skipped by regular_prune_skip_types (\"Linear\")", op(p, "head").sparsity().reason());
    assertEquals(Combination.INT8, op(p, "head").combination());
    assertEquals(Combination.TWO_OF_FOUR, op(p, "pw").combination());
    assertEquals(Combination.NONE, op(p, "stem").combination());
  }

  @Test
  void pytorchAliasesSelectByKernelRank() {
    Plan p = plan(INT8 + """
        override_layer_types { layer_type: "Conv2d" retrain_weight_quant_config { ulq_retrain { } } }
        override_layer_types { layer_type: "Conv1d" retrain_data_quant_config { ulq_quantize { fixed_min: true } } }
        override_layer_types { layer_type: "ConvTranspose2d" retrain_data_quant_config { ulq_quantize { fixed_min: false } } }
        override_layer_types { layer_type: "Linear" retrain_data_quant_config { ulq_quantize { clip_max_min { clip_max: 1 clip_min: -1 } } } }
        """);
    for (String conv2d : List.of("stem", "rgb_conv", "dw", "pw")) {
      assertEquals(Optional.of("ulq_retrain"),
          op(p, conv2d).quantization().settings().string(Int8Keys.WEIGHT_ALGO.name()),
          conv2d);
    }
    assertEquals(Optional.of("arq_retrain"),
        op(p, "seq_conv").quantization().settings().string(Int8Keys.WEIGHT_ALGO.name()),
        "Conv2d does not select a Conv with a 1-D kernel");
    assertEquals(Optional.of(true), op(p, "seq_conv").quantization().settings().bool(Int8Keys.FIXED_MIN.name()));
    assertEquals(Optional.of(false), op(p, "up").quantization().settings().bool(Int8Keys.FIXED_MIN.name()));
    for (String linear : List.of("fc1", "proj", "head")) {
      assertEquals(Optional.of(1.0), op(p, linear).quantization().settings().number(Int8Keys.CLIP_MAX.name()), linear);
    }
  }

  @Test
  void anOverrideOfAFeatureWithoutItsGlobalBlockIsIgnoredWithAWarning() {
    Plan p = plan(INT8 + """
        override_layer_configs { layer_name: "stem"
          prune_config { filter_pruner { balanced_l2_norm_filter_prune { prune_ratio: 0.5 } } } }
        regular_prune_skip_layers: "pw"
        """);
    assertEquals(Decision.OFF, op(p, "stem").sparsity().decision());
    assertEquals("sparsity is not configured (no global prune_config)", op(p, "stem").sparsity().reason());
    assertEquals(Combination.INT8, op(p, "stem").combination());
    assertTrue(p.warnings().contains("override_layer_configs[0].prune_config (\"stem\") is ignored: sparsity is off "
        + "because there is no global prune_config; add the global block to enable sparsity (overrides alone "
        + "enable nothing)"), p.warnings().toString());
    assertTrue(p.warnings().contains("regular_prune_skip_layers has no effect: sparsity is off because there is no "
        + "global prune_config"), p.warnings().toString());

    Plan q = plan(FILTER + "override_layer_types { layer_type: \"Gemm\" retrain_weight_quant_config { } }");
    assertEquals(Decision.OFF, op(q, "fc1").quantization().decision());
    assertTrue(q.warnings().stream().anyMatch(w -> w.startsWith("override_layer_types[0].retrain_weight_quant_config "
        + "(\"Gemm\") is ignored: quantization is off")), q.warnings().toString());
  }

  @Test
  void oneGlobalQuantBlockEnablesQuantizationWithDefaultsForTheOther() {
    OperatorPlan stem = op(plan("retrain_data_quant_config { }"), "stem");
    assertTrue(stem.quantization().applied());
    assertEquals("activations: retrain_data_quant_config; weights: default", stem.quantization().source());
    assertEquals(Optional.of("arq_retrain"), stem.quantization().settings().string(Int8Keys.WEIGHT_ALGO.name()));
  }

  @Test
  void theProvidersEligibilityDecidesAndItsReasonIsShown() {
    Plan p = plan(TWO_OF_FOUR + INT8);
    assertEquals("Cin = 3 is not a multiple of 4", op(p, "rgb_conv").sparsity().reason());
    assertEquals(Decision.INELIGIBLE, op(p, "rgb_conv").sparsity().decision());
    assertEquals("grouped convolution (group = 32)", op(p, "dw").sparsity().reason());
    assertEquals("2:4 needs a 2-D kernel, got a 1-D one", op(p, "seq_conv").sparsity().reason());
    assertEquals(Combination.TWO_OF_FOUR_INT8, op(p, "rgb_conv").requested());
    assertEquals(Combination.INT8, op(p, "rgb_conv").combination());

    Plan f = plan(FILTER);
    assertEquals("io.compactor.test.sparsityfilter 1.2.3 handles [Conv, Gemm, MatMul], not ConvTranspose",
        op(f, "up").sparsity().reason());
    assertEquals("depthwise convolution (group = 32), pruned passively", op(f, "dw").sparsity().reason());
  }

  @Test
  void aMissingProviderIsReportedPerOperatorAndTheCombinationIsStillResolved() {
    MethodCatalog onlyInt8 = MethodCatalog.of(List.of(TestMethods.provider(TestMethods.int8())));
    Plan p = plan(onlyInt8, PlanModels.zoo(false), TWO_OF_FOUR + INT8);
    OperatorPlan stem = op(p, "stem");
    assertEquals(Decision.NO_PROVIDER, stem.sparsity().decision());
    assertEquals("no provider for sparsity.2of4 is installed", stem.sparsity().reason());
    assertEquals(Map.of("n_out_of_m_type", "M4N2", "update_freq", 0), stem.sparsity().settings().asMap());
    assertEquals(Combination.TWO_OF_FOUR_INT8, stem.requested());
    assertEquals(Combination.INT8, stem.combination());
    assertEquals(Optional.empty(), p.providers().get(Capabilities.SPARSITY_2OF4));
    assertEquals(p.requestedTotals().get(Combination.TWO_OF_FOUR_INT8), (int) p.requested(Capabilities.SPARSITY_2OF4),
        "the operators asked for 2:4 count although none can get it");
    assertTrue(p.requested(Capabilities.SPARSITY_2OF4) > 0);
    assertEquals(0, p.tasks(Capabilities.SPARSITY_2OF4).size());
    assertEquals("io.compactor.test.quantint8 1.2.3",
        p.providers().get(Capabilities.QUANT_INT8).orElseThrow().describe());

    Plan none = plan(MethodCatalog.none(), PlanModels.zoo(false), TWO_OF_FOUR + INT8);
    assertEquals(9, none.requestedTotals().get(Combination.TWO_OF_FOUR_INT8));
    assertEquals(10, none.totals().get(Combination.NONE));
  }

  @Test
  void totalsCountEveryCombination() {
    Plan p = plan(TWO_OF_FOUR + INT8);
    // 2:4 refuses rgb_conv (Cin 3), dw (grouped) and seq_conv (1-D); gram is not compressible
    Map<Combination, Integer> t = p.totals();
    assertEquals(6, t.get(Combination.TWO_OF_FOUR_INT8));
    assertEquals(3, t.get(Combination.INT8));
    assertEquals(1, t.get(Combination.NONE));
    assertEquals(0, t.get(Combination.FILTER));
    assertEquals(Combination.values().length, t.size());
    assertEquals(9, p.compressedCount());
  }

  @Test
  void tasksHandEachCapabilityItsOperatorsInOrder() {
    Plan p = plan(TWO_OF_FOUR + INT8 + "override_layer_configs { layer_name: \"pw\" prune_config { "
        + "n_out_of_m_pruner { l1_selective_prune { update_freq: 4 } } } }");
    List<LayerTask> sparse = p.tasks(Capabilities.SPARSITY_2OF4);
    assertEquals(List.of("stem", "pw", "up", "fc1", "proj", "head"), sparse.stream().map(LayerTask::node).toList());
    assertEquals(Optional.of(4.0), sparse.get(1).settings().number(TwoOfFourKeys.UPDATE_FREQ.name()));
    assertEquals(9, p.tasks(Capabilities.QUANT_INT8).size());
    assertEquals(List.of(), p.tasks(Capabilities.SPARSITY_FILTER));
  }

  @Test
  void aProviderInTheWrongStageIsRefusedBeforeAnyOperatorGetsTwoMethodsOfOneStage() {
    TestMethods.Method int8AsSparsity = new TestMethods.Method(Capabilities.QUANT_INT8, Stage.SPARSITY,
        TestMethods.ALL_TYPES, (g, n) -> Optional.empty());
    MethodCatalog bad = MethodCatalog.of(List.of(TestMethods.provider(TestMethods.twoOfFour()),
        TestMethods.provider(int8AsSparsity)));
    PlanConflictException e = assertThrows(PlanConflictException.class,
        () -> plan(bad, PlanModels.zoo(false), TWO_OF_FOUR + INT8));
    assertEquals(Capabilities.QUANT_INT8, e.capability());
    assertTrue(e.getMessage().contains("registers quant.int8 in the sparsity stage, so operators would get two "
        + "sparsity methods; the bundle must register compactor.stage=quantization"), e.getMessage());

    MethodCatalog wrongCapability = capability -> Optional.of(TestMethods.provider(TestMethods.filter()));
    PlanConflictException w = assertThrows(PlanConflictException.class,
        () -> plan(wrongCapability, PlanModels.zoo(false), TWO_OF_FOUR));
    assertTrue(w.getMessage().contains("was chosen for sparsity.2of4 but provides sparsity.filter"), w.getMessage());
  }

  @Test
  void planAndOperatorRecordsRefuseTwoMethodsOfOneStage() {
    Provider int8 = TestMethods.provider(TestMethods.int8());
    Provider twoOfFour = TestMethods.provider(TestMethods.twoOfFour());
    Provider filter = TestMethods.provider(TestMethods.filter());
    assertThrows(IllegalArgumentException.class, () -> Assignment.compress(Stage.SPARSITY, Capabilities.QUANT_INT8,
        Settings.EMPTY, int8, "x"), "a quantization method cannot fill the sparsity slot");
    Assignment q = Assignment.compress(Stage.QUANTIZATION, Capabilities.QUANT_INT8, Settings.EMPTY, int8, "x");
    Assignment s = Assignment.compress(Stage.SPARSITY, Capabilities.SPARSITY_2OF4, Settings.EMPTY, twoOfFour, "x");
    Assignment f = Assignment.compress(Stage.SPARSITY, Capabilities.SPARSITY_FILTER, Settings.EMPTY, filter, "x");
    assertThrows(IllegalArgumentException.class, () -> new OperatorPlan("a", "Conv", q, q));
    assertThrows(IllegalArgumentException.class, () -> new OperatorPlan("a", "Conv", s, s));
    OperatorPlan a = new OperatorPlan("a", "Conv", s, q);
    assertEquals(Combination.TWO_OF_FOUR_INT8, a.combination());
    IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
        () -> new Plan("m", "c", List.of(a, new OperatorPlan("a", "Conv", f, q)), List.of()));
    assertTrue(twice.getMessage().contains("operator a appears twice"), twice.getMessage());
    IllegalArgumentException mixed = assertThrows(IllegalArgumentException.class,
        () -> new Plan("m", "c", List.of(a, new OperatorPlan("b", "Conv", f, q)), List.of()));
    assertTrue(mixed.getMessage().contains("uses sparsity.2of4 and sparsity.filter in the sparsity stage"),
        mixed.getMessage());
    assertFalse(Assignment.none(Stage.SPARSITY, Decision.OFF, "off").applied());
    assertThrows(IllegalArgumentException.class, () -> Assignment.none(Stage.SPARSITY, Decision.COMPRESS, "x"));
    assertThrows(IllegalArgumentException.class, () -> Assignment.none(Stage.SPARSITY, Decision.SKIPPED, ""));
  }

  @Test
  void aCatalogHoldsOneProviderPerCapability() {
    Provider a = TestMethods.provider(TestMethods.int8());
    Provider b = new Provider("other", "2.0.0", TestMethods.int8());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MethodCatalog.of(List.of(a, b)));
    assertTrue(e.getMessage().contains("two providers of quant.int8"), e.getMessage());
  }
}
