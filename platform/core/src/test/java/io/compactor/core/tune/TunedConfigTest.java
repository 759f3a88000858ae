package io.compactor.core.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.compactor.api.Capabilities;
import io.compactor.api.FilterPruneKeys;
import io.compactor.api.Int8Keys;
import io.compactor.api.Settings;
import io.compactor.core.config.ConfigFile;
import io.compactor.core.config.ConfigFormat;
import io.compactor.core.config.ConfigWriter;
import io.compactor.core.config.InvalidConfigException;
import io.compactor.core.config.proto.AmctRetrainConfigProto.AMCTRetrainConfig;
import io.compactor.core.plan.OperatorPlan;
import io.compactor.core.plan.Plan;
import io.compactor.core.plan.Planner;
import io.compactor.core.plan.TestMethods;
import io.compactor.onnx.fixtures.TestModels;
import io.compactor.onnx.graph.OnnxModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TunedConfigTest {
  private static final SearchSpace ALL = SearchSpace.of(Set.copyOf(Capabilities.BUILT_IN), List.of(0.25, 0.5),
      EnumSet.of(Choice.Quant.STATIC, Choice.Quant.DYNAMIC));
  @TempDir Path dir;

  private final OnnxModel model = TestModels.residualCnn(5, false);

  @Test
  void theOperatorsAreWhatThePlannerLetsEachMethodDo() {
    List<Operator> ops = Operators.discover(model, TestMethods.all(), AMCTRetrainConfig.getDefaultInstance(), ALL);
    assertEquals(List.of("conv1", "conv2", "fc"), ops.stream().map(Operator::node).toList());
    Operator conv1 = ops.get(0);
    assertFalse(conv1.twoOfFour(), "Cin = 1 cannot take 2:4");
    assertTrue(conv1.filter() && conv1.int8());
    assertEquals(8 * 8 * 9, ops.get(1).weights());
  }

  @Test
  void forLatencyFilterPruningKeepsChannelCountsAlignedUnlessTheBaseSaysOtherwise() throws Exception {
    List<Operator> ops = Operators.discover(model, TestMethods.all(), AMCTRetrainConfig.getDefaultInstance(), ALL);
    Candidate c = Candidate.of(ops, Map.of("conv1", Choice.filter(0.25), "conv2", Choice.filter(0.25)));
    AMCTRetrainConfig none = AMCTRetrainConfig.getDefaultInstance();
    assertTrue(ascend(new TunedConfig(none, model.graph(), ops, 4, true).build(c)), "latency: aligned");
    assertFalse(ascend(new TunedConfig(none, model.graph(), ops, 4, false).build(c)), "size: the ratio as asked");
    Path base = Files.writeString(dir.resolve("unaligned.cfg"), """
        prune_config { filter_pruner { balanced_l2_norm_filter_prune { prune_ratio: 0.3 ascend_optimized: false } } }
        """);
    assertFalse(ascend(new TunedConfig(ConfigWriter.message(base), model.graph(), ops, 4, true).build(c)),
        "the base decides");
  }

  private static boolean ascend(AMCTRetrainConfig c) {
    return c.getPruneConfig().getFilterPruner().getBalancedL2NormFilterPrune().getAscendOptimized();
  }

  @Test
  void theBaseSkipListsHoldOperatorsOutOfTheSearch() throws Exception {
    Path base = dir.resolve("base.cfg");
    Files.writeString(base, """
        batch_num: 2
        retrain_data_quant_config { ulq_quantize { dst_type: INT8 } }
        regular_prune_skip_layers: "conv2"
        compactor_retrain { epochs: 2 }
        """);
    AMCTRetrainConfig b = ConfigWriter.message(base);
    List<Operator> ops = Operators.discover(model, TestMethods.all(), b, ALL);
    Operator conv2 = ops.stream().filter(o -> o.node().equals("conv2")).findFirst().orElseThrow();
    assertFalse(conv2.filter() || conv2.twoOfFour(), conv2.toString());
    AMCTRetrainConfig tuned = new TunedConfig(b, model.graph(), ops).build(Candidate.of(ops, Map.of("conv1",
        Choice.filter(0.5).withQuant(Choice.Quant.STATIC))));
    assertEquals(2, tuned.getBatchNum());
    assertEquals(2, tuned.getCompactorRetrain().getEpochs(), "the retraining block is kept");
    assertTrue(tuned.getRegularPruneSkipLayersList().contains("conv2"), "the base's skip stays");
  }

  @Test
  void everyLayerKeepsWhatTheBaseSaysOfItPlusTheChoice() throws Exception {
    // per type: Convs pin their lower clip; per layer: conv2 its own clip range, no equalization, per-tensor
    // weights and a ratio; fc an activation setting of its own
    Path base = Files.writeString(dir.resolve("per-layer.cfg"), """
        batch_num: 2
        retrain_data_quant_config { ulq_quantize { dst_type: INT8 } }
        retrain_weight_quant_config { arq_retrain { dst_type: INT8 } }
        prune_config { filter_pruner { balanced_l2_norm_filter_prune { prune_ratio: 0.3 ascend_optimized: false } } }
        override_layer_types { layer_type: "Conv" retrain_data_quant_config { ulq_quantize { fixed_min: true } } }
        override_layer_configs { layer_name: "conv2"
          retrain_data_quant_config { ulq_quantize { clip_max_min { clip_max: 6 clip_min: -6 }
                                                     compactor_equalization: NONE } }
          retrain_weight_quant_config { arq_retrain { channel_wise: false } }
          prune_config { filter_pruner { balanced_l2_norm_filter_prune { prune_ratio: 0.5 } } } }
        override_layer_configs { layer_name: "fc" retrain_data_quant_config { ulq_quantize { fixed_min: false } } }
        """);
    AMCTRetrainConfig b = ConfigWriter.message(base);
    List<Operator> ops = Operators.discover(model, TestMethods.all(), b, ALL);
    // conv2: INT8 but no pruning, against the base's 0.5; every INT8 layer equalized folded only
    Candidate c = Candidate.of(ops, Map.of(
        "conv1", Choice.filter(0.25).withQuant(Choice.Quant.STATIC),
        "conv2", Choice.NONE.withQuant(Choice.Quant.STATIC),
        "fc", Choice.filter(0.25).withQuant(Choice.Quant.DYNAMIC))).withFoldedEqualization(List.of("conv1", "conv2",
        "fc"));
    AMCTRetrainConfig config = new TunedConfig(b, model.graph(), ops).build(c);
    assertEquals(List.of("Conv"), config.getOverrideLayerTypesList().stream().map(t -> t.getLayerType()).toList(),
        "the base's type entry stays");

    Plan before = plan(model, ConfigFile.read(base));
    for (ConfigFile file : writtenForms(config)) {
      Plan after = plan(model, file);
      assertEquals(before.operator("conv1").orElseThrow().quantization().settings()
          .with(Int8Keys.EQUALIZATION, "folded"), int8(after, "conv1"), file.source());
      assertEquals(before.operator("conv1").orElseThrow().sparsity().settings()
          .with(FilterPruneKeys.PRUNE_RATIO, 0.25), after.operator("conv1").orElseThrow().sparsity().settings());
      assertEquals(before.operator("conv2").orElseThrow().quantization().settings(), int8(after, "conv2"),
          "conv2's own settings; its NONE is stricter than FOLDED: " + file.source());
      assertEquals("skipped", after.operator("conv2").orElseThrow().sparsity().decision().id(), "the choice wins");
      assertEquals(before.operator("fc").orElseThrow().quantization().settings()
          .with(Int8Keys.ACTIVATION_QUANT, "dynamic").with(Int8Keys.EQUALIZATION, "folded"), int8(after, "fc"));
      assertEquals(before.operator("fc").orElseThrow().sparsity().settings()
          .with(FilterPruneKeys.PRUNE_RATIO, 0.25), after.operator("fc").orElseThrow().sparsity().settings());
    }
    // what those settings are, spelled out
    Plan after = plan(model, writtenForms(config).get(0));
    assertEquals(Optional.of(true), int8(after, "conv1").bool(Int8Keys.FIXED_MIN.name()), "from the Conv entry");
    assertEquals(Optional.of(6.0), int8(after, "conv2").number(Int8Keys.CLIP_MAX.name()));
    assertEquals(Optional.of(false), int8(after, "conv2").bool(Int8Keys.CHANNEL_WISE.name()));
    assertEquals(Optional.of("none"), int8(after, "conv2").string(Int8Keys.EQUALIZATION.name()));
    assertEquals(Optional.of(false), int8(after, "fc").bool(Int8Keys.FIXED_MIN.name()));
    assertEquals(Optional.of(false), after.operator("conv1").orElseThrow().sparsity().settings()
        .bool(FilterPruneKeys.ASCEND_OPTIMIZED.name()));
  }

  @Test
  void theChoiceWinsWhereTheBaseContradictsItAndTheRestOfTheBaseStays() throws Exception {
    // Convs pruned at 0.5 by type; conv2 at 0.75 by name, with per-tensor weights
    Path base = Files.writeString(dir.resolve("contradicting.cfg"), """
        retrain_data_quant_config { ulq_quantize { } }
        prune_config { filter_pruner { balanced_l2_norm_filter_prune { prune_ratio: 0.3 } } }
        override_layer_types { layer_type: "Conv"
          prune_config { filter_pruner { balanced_l2_norm_filter_prune { prune_ratio: 0.5 ascend_optimized: false } } } }
        override_layer_configs { layer_name: "conv2" retrain_weight_quant_config { arq_retrain { channel_wise: false } }
          prune_config { filter_pruner { balanced_l2_norm_filter_prune { prune_ratio: 0.75 } } } }
        """);
    AMCTRetrainConfig b = ConfigWriter.message(base);
    List<Operator> ops = Operators.discover(model, TestMethods.all(), b, ALL);
    Candidate filter = Candidate.of(ops, Map.of("conv1", Choice.filter(0.25),
        "conv2", Choice.filter(0.5).withQuant(Choice.Quant.STATIC), "fc", Choice.filter(0.25)));
    for (ConfigFile file : writtenForms(new TunedConfig(b, model.graph(), ops).build(filter))) {
      Plan plan = plan(model, file);
      // conv1 against its type entry's 0.5, the type entry's other settings kept; fc at the global ratio
      assertEquals(Map.of(FilterPruneKeys.PRUNE_RATIO.name(), 0.25, FilterPruneKeys.ASCEND_OPTIMIZED.name(), false),
          plan.operator("conv1").orElseThrow().sparsity().settings().asMap(), file.source());
      assertEquals(0.5, ratio(plan.operator("conv2").orElseThrow()), 1e-6, "against its own 0.75");
      assertEquals(0.25, ratio(plan.operator("fc").orElseThrow()), 1e-6);
      assertEquals(Optional.of(false), int8(plan, "conv2").bool(Int8Keys.CHANNEL_WISE.name()));
      assertEquals("skipped", plan.operator("conv1").orElseThrow().quantization().decision().id());
    }
    // conv1 left unpruned under the Conv entry that prunes it: a name skip, which a type entry does not contradict
    Candidate one = Candidate.of(ops, Map.of("conv2", Choice.filter(0.5)));
    for (ConfigFile file : writtenForms(new TunedConfig(b, model.graph(), ops).build(one))) {
      Plan plan = plan(model, file);
      assertEquals("skipped", plan.operator("conv1").orElseThrow().sparsity().decision().id(), file.source());
      assertEquals(0.5, ratio(plan.operator("conv2").orElseThrow()), 1e-6, file.source());
    }
    // 2:4 without INT8: the filter blocks (another kind) and conv2's weight block (INT8 is off) go, no warning
    Candidate twoOfFour = Candidate.of(ops, Map.of("conv2", Choice.twoOfFour()));
    AMCTRetrainConfig config = new TunedConfig(b, model.graph(), ops).build(twoOfFour);
    assertEquals(0, config.getOverrideLayerTypesCount() + config.getOverrideLayerConfigsCount(), config.toString());
    for (ConfigFile file : writtenForms(config)) {
      assertTrue(plan(model, file).operator("conv2").orElseThrow().sparsity().applied(), file.source());
    }
  }

  @Test
  void aBaseEntryTheModelCannotTakeIsRefusedAsTheBases() throws Exception {
    Path base = Files.writeString(dir.resolve("typo.cfg"), """
        override_layer_configs { layer_name: "conv3" retrain_weight_quant_config { arq_retrain { channel_wise: false } } }
        """);
    InvalidConfigException e = assertThrows(InvalidConfigException.class,
        () -> Operators.discover(model, TestMethods.all(), ConfigWriter.message(base), ALL));
    assertTrue(e.getMessage().startsWith("--config (the base") && e.getMessage().contains("\"conv3\""),
        e.getMessage());
  }

  /** @return the configuration as {@code tuned.cfg} and {@code tuned.json} read it back, both free of problems */
  private static List<ConfigFile> writtenForms(AMCTRetrainConfig config) throws Exception {
    String text = ConfigWriter.text(config, List.of());
    List<ConfigFile> files = List.of(ConfigFile.parse(text, ConfigFormat.TEXT, "tuned.cfg"),
        ConfigFile.parse(new ObjectMapper().writeValueAsString(ConfigWriter.json(config)), ConfigFormat.JSON,
            "tuned.json"));
    for (ConfigFile file : files) {
      assertEquals(List.of(), file.problems(), file.source() + ":\n" + text);
      assertEquals(List.of(), file.warnings(), file.source() + ":\n" + text);
    }
    return files;
  }

  private static Plan plan(OnnxModel m, ConfigFile file) {
    Plan plan = new Planner(TestMethods.all()).plan(m, file);
    assertEquals(List.of(), plan.warnings(), file.source());
    return plan;
  }

  private static Settings int8(Plan plan, String node) {
    OperatorPlan op = plan.operator(node).orElseThrow();
    assertTrue(op.quantization().applied(), op.toString());
    return op.quantization().settings();
  }

  @Test
  void everyOperatorGetsItsChoiceInTextAndJsonAlike() throws Exception {
    List<Operator> ops = Operators.discover(model, TestMethods.all(), AMCTRetrainConfig.getDefaultInstance(), ALL);
    Candidate c = Candidate.of(ops, Map.of(
        "conv1", Choice.filter(0.25),
        "conv2", Choice.filter(0.5).withQuant(Choice.Quant.STATIC),
        "fc", Choice.NONE.withQuant(Choice.Quant.DYNAMIC)));
    AMCTRetrainConfig config = new TunedConfig(AMCTRetrainConfig.getDefaultInstance(), model.graph(), ops).build(c);
    String text = ConfigWriter.text(config, List.of("a comment"));
    String json = new ObjectMapper().writeValueAsString(ConfigWriter.json(config));
    for (ConfigFile file : List.of(ConfigFile.parse(text, ConfigFormat.TEXT, "tuned.cfg"),
        ConfigFile.parse(json, ConfigFormat.JSON, "tuned.json"))) {
      assertEquals(List.of(), file.problems(), file.source() + ":\n" + text);
      Plan plan = new Planner(TestMethods.all()).plan(model, file);
      OperatorPlan conv1 = plan.operator("conv1").orElseThrow();
      OperatorPlan conv2 = plan.operator("conv2").orElseThrow();
      OperatorPlan fc = plan.operator("fc").orElseThrow();
      assertEquals(Capabilities.SPARSITY_FILTER, conv1.sparsity().appliedCapability().orElseThrow());
      assertFalse(conv1.quantization().applied(), "conv1 keeps FP32: " + conv1);
      assertTrue(conv2.sparsity().applied() && conv2.quantization().applied());
      assertFalse(fc.sparsity().applied());
      assertTrue(fc.quantization().applied());
      assertEquals(0.5, ratio(conv2), 1e-6, conv2.toString());
      assertEquals(0.25, ratio(conv1), 1e-6, conv1.toString());
    }
    assertTrue(text.contains("compactor_dynamic: true"), text);
    assertTrue(text.startsWith("# a comment\n"), text);
  }

  @Test
  void floatFallbackIsWrittenAsTheExtensionBesideTheBasesOwnList() throws Exception {
    Path base = dir.resolve("base.cfg");
    Files.writeString(base, """
        retrain_data_quant_config { ulq_quantize { dst_type: INT8 } }
        compactor_float_activations: "image"
        """);
    AMCTRetrainConfig b = ConfigWriter.message(base);
    List<Operator> ops = Operators.discover(model, TestMethods.all(), b, ALL);
    Map<String, Choice> allStatic = Map.of("conv1", Choice.NONE.withQuant(Choice.Quant.STATIC),
        "conv2", Choice.NONE.withQuant(Choice.Quant.STATIC), "fc", Choice.NONE.withQuant(Choice.Quant.STATIC));
    Candidate c = Candidate.of(ops, allStatic).withFloatActivations(List.of("conv2.out", "image"));
    AMCTRetrainConfig config = new TunedConfig(b, model.graph(), ops).build(c);

    assertEquals(List.of("image", "conv2.out"), config.getCompactorFloatActivationsList(), "no name twice");
    String text = ConfigWriter.text(config, List.of());
    String json = new ObjectMapper().writeValueAsString(ConfigWriter.json(config));
    for (ConfigFile file : List.of(ConfigFile.parse(text, ConfigFormat.TEXT, "tuned.cfg"),
        ConfigFile.parse(json, ConfigFormat.JSON, "tuned.json"))) {
      assertEquals(List.of(), file.problems(), file.source() + ":\n" + text);
      assertEquals(List.of(), file.warnings(), file.source() + ":\n" + text);
      assertEquals(List.of("image", "conv2.out"), new Planner(TestMethods.all()).plan(model, file).floatActivations());
    }
    assertTrue(text.contains("compactor_float_activations: \"conv2.out\""), text);
    assertEquals(List.of(), Candidate.of(ops, Map.of("conv1", Choice.filter(0.5)))
        .withFloatActivations(List.of("image")).floatActivations(), "no INT8, no fallback");
    assertTrue(c.describe().endsWith("3 × int8 static, 2 activations float"), c.describe());
  }

  @Test
  void foldedEqualizationIsWrittenIntoTheOverridesOfItsLayers() throws Exception {
    List<Operator> ops = Operators.discover(model, TestMethods.all(), AMCTRetrainConfig.getDefaultInstance(), ALL);
    Candidate c = Candidate.of(ops, Map.of("conv2", Choice.NONE.withQuant(Choice.Quant.STATIC),
        "fc", Choice.NONE.withQuant(Choice.Quant.DYNAMIC))).withFoldedEqualization(List.of("conv2", "fc"));
    AMCTRetrainConfig config = new TunedConfig(AMCTRetrainConfig.getDefaultInstance(), model.graph(), ops).build(c);
    String text = ConfigWriter.text(config, List.of());
    String json = new ObjectMapper().writeValueAsString(ConfigWriter.json(config));
    for (ConfigFile file : List.of(ConfigFile.parse(text, ConfigFormat.TEXT, "tuned.cfg"),
        ConfigFile.parse(json, ConfigFormat.JSON, "tuned.json"))) {
      assertEquals(List.of(), file.problems(), file.source() + ":\n" + text);
      Plan plan = new Planner(TestMethods.all()).plan(model, file);
      for (String n : List.of("conv2", "fc")) {
        assertEquals(Optional.of("folded"), plan.operator(n).orElseThrow().quantization().settings()
            .string(Int8Keys.EQUALIZATION.name()), n + " in " + file.source() + ":\n" + text);
      }
    }
    assertTrue(text.contains("compactor_dynamic: true"), text);
    Candidate one = c.withFoldedEqualization(List.of("fc"));
    Plan plan = new Planner(TestMethods.all()).plan(model, ConfigFile.parse(ConfigWriter.text(
        new TunedConfig(AMCTRetrainConfig.getDefaultInstance(), model.graph(), ops).build(one), List.of()),
        ConfigFormat.TEXT, "t"));
    assertEquals(Optional.empty(), plan.operator("conv2").orElseThrow().quantization().settings()
        .string(Int8Keys.EQUALIZATION.name()), "conv2 keeps the default");
    assertTrue(c.describe().endsWith("2 layers equalized folded only"), c.describe());
    assertEquals(List.of(), Candidate.of(ops, Map.of("conv1", Choice.filter(0.5))).withFoldedEqualization(
        List.of("conv1")).foldedEqualization(), "no INT8, no equalization");
    assertFalse(c.sameAs(one));
    Path base = dir.resolve("none.cfg");
    Files.writeString(base, "retrain_data_quant_config { ulq_quantize { compactor_equalization: NONE } }\n");
    AMCTRetrainConfig none = new TunedConfig(ConfigWriter.message(base), model.graph(), ops).build(c);
    assertEquals("NONE", none.getRetrainDataQuantConfig().getUlqQuantize().getCompactorEqualization().name());
    assertTrue(none.getOverrideLayerConfigsList().stream().allMatch(o -> o.getRetrainDataQuantConfig()
        .getUlqQuantize().getCompactorEqualization().name().equals("NONE")), "the base's NONE is stricter and stays");
  }

  private static double ratio(OperatorPlan op) {
    return op.sparsity().settings().number(FilterPruneKeys.PRUNE_RATIO.name()).orElseThrow();
  }

  @Test
  void twoOfFourIsWrittenAsTheOneSparsityKindOfTheFile() {
    List<Operator> ops = Operators.discover(model, TestMethods.all(), AMCTRetrainConfig.getDefaultInstance(), ALL);
    Candidate c = Candidate.of(ops, Map.of("conv2", Choice.twoOfFour()));
    AMCTRetrainConfig config = new TunedConfig(AMCTRetrainConfig.getDefaultInstance(), model.graph(), ops).build(c);
    assertTrue(config.getPruneConfig().hasNOutOfMPruner());
    assertEquals(List.of("fc"), config.getRegularPruneSkipLayersList(), "conv1 cannot take 2:4; fc can but is left");
    assertFalse(config.hasRetrainDataQuantConfig());
    assertEquals(0.5 * 576 / (72 + 576 + 24), c.sparsity(), 1e-9);
  }

  @Test
  void aConstantTableIsAnInt8CandidateWrittenAsTheGatherTypeOverride() throws Exception {
    OnnxModel embedder = TableModel.build(3);
    List<Operator> ops = Operators.discover(embedder, TestMethods.all(), AMCTRetrainConfig.getDefaultInstance(), ALL);
    Operator table = ops.stream().filter(o -> o.node().equals(TableModel.TABLE)).findFirst()
        .orElseThrow(() -> new AssertionError("the table is not offered: " + ops));
    assertTrue(table.int8() && table.table() && !table.filter() && !table.twoOfFour(), table.toString());
    assertEquals((long) TableModel.VOCAB * TableModel.WIDTH, table.weights(), "the table's own elements");

    Candidate both = Candidate.of(ops, Map.of(TableModel.TABLE, Choice.NONE.withQuant(Choice.Quant.STATIC),
        TableModel.PROJECTION, Choice.NONE.withQuant(Choice.Quant.DYNAMIC)));
    assertEquals(0, both.sparsity(), "a table counts for no sparsity");
    AMCTRetrainConfig config = new TunedConfig(AMCTRetrainConfig.getDefaultInstance(), embedder.graph(), ops)
        .build(both);
    String text = ConfigWriter.text(config, List.of());
    assertTrue(text.contains("layer_type: \"Gather\""), text);
    assertEquals(List.of(), config.getQuantSkipLayersList(), text);
    String json = new ObjectMapper().writeValueAsString(ConfigWriter.json(config));
    for (ConfigFile file : List.of(ConfigFile.parse(text, ConfigFormat.TEXT, "tuned.cfg"),
        ConfigFile.parse(json, ConfigFormat.JSON, "tuned.json"))) {
      assertEquals(List.of(), file.problems(), file.source() + ":\n" + text);
      Plan plan = new Planner(TestMethods.all()).plan(embedder, file);
      assertTrue(plan.operator(TableModel.TABLE).orElseThrow().quantization().applied(), file.source());
      assertTrue(plan.operator(TableModel.PROJECTION).orElseThrow().quantization().applied(), file.source());
    }

    // without the table: no opt-in, so no skip entry either; the table stays float
    AMCTRetrainConfig without = new TunedConfig(AMCTRetrainConfig.getDefaultInstance(), embedder.graph(), ops)
        .build(Candidate.of(ops, Map.of(TableModel.PROJECTION, Choice.NONE.withQuant(Choice.Quant.STATIC))));
    assertEquals(0, without.getOverrideLayerTypesCount());
    assertEquals(List.of(), without.getQuantSkipLayersList());
    Plan plan = new Planner(TestMethods.all()).plan(embedder,
        ConfigFile.parse(ConfigWriter.text(without, List.of()), ConfigFormat.TEXT, "tuned.cfg"));
    assertFalse(plan.operator(TableModel.TABLE).orElseThrow().quantization().applied());
  }

  @Test
  void aBaseThatOptsTablesInKeepsItsOverrideAndSkipsATableLeftFloat() throws Exception {
    OnnxModel embedder = TableModel.build(3);
    Path base = dir.resolve("base.cfg");
    Files.writeString(base, """
        retrain_weight_quant_config { arq_retrain { } }
        override_layer_types { layer_type: "Gather" retrain_weight_quant_config { arq_retrain { channel_wise: false } } }
        """);
    AMCTRetrainConfig b = ConfigWriter.message(base);
    List<Operator> ops = Operators.discover(embedder, TestMethods.all(), b, ALL);
    AMCTRetrainConfig config = new TunedConfig(b, embedder.graph(), ops).build(Candidate.of(ops,
        Map.of(TableModel.PROJECTION, Choice.NONE.withQuant(Choice.Quant.STATIC))));
    assertEquals(1, config.getOverrideLayerTypesCount(), "the base's entry, not a second one");
    assertFalse(config.getOverrideLayerTypes(0).getRetrainWeightQuantConfig().getArqRetrain().getChannelWise());
    assertEquals(List.of(TableModel.TABLE), config.getQuantSkipLayersList());

    Path skipping = dir.resolve("skip.cfg");
    Files.writeString(skipping, "retrain_weight_quant_config { arq_retrain { } }\nquant_skip_layers: \"word\"\n");
    assertTrue(Operators.discover(embedder, TestMethods.all(), ConfigWriter.message(skipping), ALL).stream()
        .noneMatch(Operator::table), "the base's skip list holds the table out");
  }
}
