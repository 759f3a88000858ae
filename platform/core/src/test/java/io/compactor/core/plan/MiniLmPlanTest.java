package io.compactor.core.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.api.FilterPruneKeys;
import io.compactor.api.Int8Keys;
import io.compactor.api.TwoOfFourKeys;
import io.compactor.core.config.ConfigFile;
import io.compactor.core.config.ConfigFormat;
import io.compactor.core.config.InvalidConfigException;
import io.compactor.core.plan.Assignment.Decision;
import io.compactor.onnx.fixtures.TestModels;
import io.compactor.onnx.graph.OnnxModel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The eight seed scenarios on the real all-MiniLM-L6-v2: 48 MatMul nodes, of which 36 projections have
 * a constant weight ([384, 384], [384, 1536], [1536, 384]) and 12 attention MatMuls multiply two
 * activations; the three embedding tables (Gather on a constant) are listed too, quantized only on opt-in. The
 * test methods accept every projection (Cin 384 and 1536 are multiples of 4).
 */
class MiniLmPlanTest {
  @TempDir static Path dir;
  static OnnxModel model;

  @BeforeAll
  static void load() {
    model = OnnxModel.load(TestModels.miniLm(dir));
  }

  static String name(int layer, String part) {
    return "/encoder/layer." + layer + "/" + part + "/MatMul";
  }

  static final List<String> PARTS = List.of("attention/self/query", "attention/self/key", "attention/self/value",
      "attention/output/dense", "intermediate/dense", "output/dense");

  static List<String> all(String part) {
    return IntStream.range(0, 6).mapToObj(l -> name(l, part)).toList();
  }

  static String quoted(List<String> names) {
    return names.stream().map(n -> "\"" + n + "\"").collect(Collectors.joining(", ", "[", "]"));
  }

  private static Plan plan(String cfg) {
    return new Planner(TestMethods.all()).plan(model, ConfigFile.parse(cfg, ConfigFormat.TEXT, "minilm.cfg"));
  }

  /** @return the number of operators per applied combination label, zero counts left out */
  private static Map<String, Integer> totals(Plan p) {
    return p.totals().entrySet().stream().filter(e -> e.getValue() > 0)
        .collect(Collectors.toMap(e -> e.getKey().label(), Map.Entry::getValue));
  }

  private static Combination of(Plan p, String node) {
    return PlannerTest.op(p, node).combination();
  }

  @Test
  void theModelHas36CompressibleProjectionsAnd12AttentionProducts() {
    Plan p = plan(PlannerTest.INT8);
    assertEquals(48 + 3, p.operators().size(), "48 MatMuls and the 3 embedding tables");
    List<String> compressible = p.operators().stream().filter(o -> o.opType().equals("MatMul"))
        .filter(o -> o.quantization().decision() != Decision.UNSUPPORTED).map(OperatorPlan::node).toList();
    List<String> expected = IntStream.range(0, 6).boxed()
        .flatMap(l -> PARTS.stream().map(part -> name(l, part))).toList();
    assertEquals(expected, compressible);
    assertTrue(PlannerTest.op(p, "/encoder/layer.3/attention/self/MatMul_1").quantization().reason()
        .contains("is not a constant initializer (it is computed by Transpose node"));
  }

  @Test
  void s1WholeQuantizationWholeSparsity() {
    Plan p = plan(PlannerTest.TWO_OF_FOUR + PlannerTest.INT8);
    assertEquals(Map.of("2of4+int8", 36, "none", 15), totals(p));
  }

  @Test
  void s2PartialQuantizationWholeSparsity() {
    Plan p = plan(PlannerTest.TWO_OF_FOUR + PlannerTest.INT8 + "quant_skip_layers: " + quoted(all("output/dense"))
        + "\noverride_layer_configs { layer_name: \"" + name(0, "attention/self/query") + "\" "
        + "retrain_data_quant_config { ulq_quantize { clip_max_min { clip_max: 3 clip_min: -3 } } } }");
    assertEquals(Map.of("2of4+int8", 30, "2of4", 6, "none", 15), totals(p));
    assertEquals(Combination.TWO_OF_FOUR, of(p, name(4, "output/dense")));
    assertEquals(Optional.of(3.0), PlannerTest.op(p, name(0, "attention/self/query")).quantization().settings()
        .number(Int8Keys.CLIP_MAX.name()));
  }

  @Test
  void s3WholeQuantizationPartialSparsity() {
    Plan p = plan(PlannerTest.INT8 + PlannerTest.FILTER
        + "regular_prune_skip_layers: " + quoted(all("attention/output/dense"))
        + "\noverride_layer_types { layer_type: \"MatMul\" prune_config { filter_pruner { "
        + "balanced_l2_norm_filter_prune { prune_ratio: 0.5 } } } }"
        + "\noverride_layer_configs { layer_name: \"" + name(5, "intermediate/dense") + "\" prune_config { "
        + "filter_pruner { balanced_l2_norm_filter_prune { prune_ratio: 0.2 } } } }");
    assertEquals(Map.of("filter+int8", 30, "int8", 6, "none", 15), totals(p));
    assertEquals(Optional.of(0.2), PlannerTest.op(p, name(5, "intermediate/dense")).sparsity().settings()
        .number(FilterPruneKeys.PRUNE_RATIO.name()));
    assertEquals(Optional.of(0.5), PlannerTest.op(p, name(4, "intermediate/dense")).sparsity().settings()
        .number(FilterPruneKeys.PRUNE_RATIO.name()));
    assertEquals("override_layer_types[0].prune_config", PlannerTest.op(p, name(0, "attention/self/key"))
        .sparsity().source());
  }

  @Test
  void s4PartialQuantizationPartialSparsity() {
    Plan p = plan(PlannerTest.TWO_OF_FOUR + PlannerTest.INT8
        + "skip_layers: " + quoted(Stream.of("query", "key", "value").map(q -> name(0, "attention/self/" + q)).toList())
        + "\nquant_skip_layers: \"" + name(5, "output/dense") + "\""
        + "\nregular_prune_skip_layers: \"" + name(5, "intermediate/dense") + "\""
        + "\noverride_layer_types { layer_type: \"Linear\" retrain_weight_quant_config { ulq_retrain { } } }");
    assertEquals(Map.of("2of4+int8", 31, "2of4", 1, "int8", 1, "none", 18), totals(p));
    assertEquals(Combination.NONE, of(p, name(0, "attention/self/key")));
    assertEquals(Combination.TWO_OF_FOUR, of(p, name(5, "output/dense")));
    assertEquals(Combination.INT8, of(p, name(5, "intermediate/dense")));
    assertEquals(Optional.of("ulq_retrain"), PlannerTest.op(p, name(2, "attention/self/value")).quantization()
        .settings().string(Int8Keys.WEIGHT_ALGO.name()));
  }

  @Test
  void s5WholeQuantizationOnly() {
    Plan p = plan(PlannerTest.INT8);
    assertEquals(Map.of("int8", 36, "none", 15), totals(p));
    assertEquals(Optional.of(false), PlannerTest.op(p, name(1, "output/dense")).quantization().settings()
        .bool(Int8Keys.CHANNEL_WISE.name()), "MatMul defaults to per-tensor");
  }

  @Test
  void s6PartialQuantizationOnly() {
    List<String> layer0 = PARTS.stream().map(part -> name(0, part)).toList();
    Plan p = plan("retrain_weight_quant_config { arq_retrain { channel_wise: true } }\n"
        + "quant_skip_layers: " + quoted(layer0)
        + "\noverride_layer_types { layer_type: \"Linear\" retrain_weight_quant_config { arq_retrain { "
        + "channel_wise: false } } }");
    assertEquals(Map.of("int8", 30, "none", 21), totals(p));
    assertEquals(Combination.NONE, of(p, name(0, "intermediate/dense")));
  }

  @Test
  void s7WholeSparsityOnly() {
    Plan p = plan(PlannerTest.FILTER);
    assertEquals(Map.of("filter", 36, "none", 15), totals(p));
  }

  @Test
  void s8PartialSparsityOnly() {
    List<String> kv = Stream.concat(all("attention/self/key").stream(), all("attention/self/value").stream()).toList();
    Plan p = plan(PlannerTest.TWO_OF_FOUR + "regular_prune_skip_layers: " + quoted(kv)
        + "\noverride_layer_configs { layer_name: \"" + name(2, "intermediate/dense") + "\" prune_config { "
        + "n_out_of_m_pruner { l1_selective_prune { update_freq: 4 } } } }");
    assertEquals(Map.of("2of4", 24, "none", 27), totals(p));
    assertEquals(Optional.of(4.0), PlannerTest.op(p, name(2, "intermediate/dense")).sparsity().settings()
        .number(TwoOfFourKeys.UPDATE_FREQ.name()));
  }

  @Test
  void theExampleConfigurationsGiveEqualPlansFromCfgAndJson() {
    Planner planner = new Planner(TestMethods.all());
    Plan cfg = planner.plan(model, ConfigFile.read(Path.of("../../examples/minilm-2of4-int8.cfg")));
    Plan json = planner.plan(model, ConfigFile.read(Path.of("../../examples/minilm-2of4-int8.json")));
    assertEquals(cfg.operators(), json.operators());
    assertEquals(Map.of("2of4+int8", 36, "none", 15), totals(cfg));
    assertEquals(Optional.of(4.0), PlannerTest.op(cfg, name(5, "output/dense")).sparsity().settings()
        .number(TwoOfFourKeys.UPDATE_FREQ.name()));
    assertEquals(Optional.of(2.0), PlannerTest.op(cfg, name(5, "output/dense")).quantization().settings()
        .number(Int8Keys.BATCH_NUM.name()));
    Plan partial = planner.plan(model, ConfigFile.read(Path.of("../../examples/minilm-int8-partial.cfg")));
    assertEquals(Map.of("int8", 33, "none", 18), totals(partial));
  }

  @Test
  void aMistypedNodeNameSuggestsTheRealOne() {
    String typo = "/encoder/layer.0/attention/self/querry/MatMul";
    InvalidConfigException e = assertThrows(InvalidConfigException.class,
        () -> plan(PlannerTest.INT8 + "quant_skip_layers: \"" + typo + "\""));
    assertTrue(e.getMessage().contains("closest: \"" + name(0, "attention/self/query") + "\""), e.getMessage());
  }

  static final List<String> TABLES = List.of("/embeddings/word_embeddings/Gather",
      "/embeddings/position_embeddings/Gather", "/embeddings/token_type_embeddings/Gather");

  @Test
  void embeddingTablesAreQuantizedOnlyWhenTheGatherTypeOptsIn() {
    Plan off = plan(PlannerTest.INT8);
    for (String t : TABLES) {
      Assignment q = PlannerTest.op(off, t).quantization();
      assertEquals(Decision.OFF, q.decision(), t);
      assertTrue(q.reason().contains("layer_type: \"Gather\""), q.reason());
      assertEquals(Decision.UNSUPPORTED, PlannerTest.op(off, t).sparsity().decision());
    }
    Plan on = plan(PlannerTest.INT8 + "override_layer_types { layer_type: \"Gather\" retrain_weight_quant_config "
        + "{ arq_retrain { } } }\n" + "quant_skip_layers: \"/embeddings/token_type_embeddings/Gather\"\n");
    assertEquals(Map.of("int8", 36 + 2, "none", 12 + 1), totals(on));
    Assignment word = PlannerTest.op(on, TABLES.get(0)).quantization();
    assertEquals(Optional.of(true), word.settings().bool(Int8Keys.CHANNEL_WISE.name()), "one scale per column");
    assertEquals("override_layer_types[0].retrain_weight_quant_config", word.source().replaceAll(".*weights: ", ""));
    Plan named = plan(PlannerTest.INT8 + "override_layer_configs { layer_name: \"" + TABLES.get(0)
        + "\" retrain_weight_quant_config { arq_retrain { channel_wise: false } } }\n");
    assertEquals(Map.of("int8", 37, "none", 14), totals(named));
    assertEquals(Optional.of(false), PlannerTest.op(named, TABLES.get(0)).quantization().settings()
        .bool(Int8Keys.CHANNEL_WISE.name()));
  }

  @Test
  void floatActivationsReachEveryInt8OperatorAndUnknownNamesSuggestTheClosest() {
    String ln = "/encoder/layer.0/attention/output/LayerNorm/Add_1_output_0";
    Plan p = plan(PlannerTest.INT8 + "compactor_float_activations: \"" + ln + "\"\n"
        + "compactor_float_activations: \"/embeddings/LayerNorm/Add_1_output_0\"\n");
    assertEquals(List.of(ln, "/embeddings/LayerNorm/Add_1_output_0"), p.floatActivations());
    assertEquals(p.floatActivations(), Int8Keys.floatActivations(PlannerTest.op(p, name(3, "output/dense"))
        .quantization().settings()));
    String typo = "/encoder/layer.0/attention/output/LayerNorm/Add_2_output_0";
    InvalidConfigException e = assertThrows(InvalidConfigException.class,
        () -> plan(PlannerTest.INT8 + "compactor_float_activations: \"" + typo + "\""));
    assertTrue(e.getMessage().contains("compactor_float_activations[0]: names no tensor of the model"), e.getMessage());
    assertTrue(e.getMessage().contains("closest: \"" + ln + "\""), e.getMessage());
    InvalidConfigException constant = assertThrows(InvalidConfigException.class,
        () -> plan(PlannerTest.INT8 + "compactor_float_activations: \"embeddings.word_embeddings.weight\""));
    assertTrue(constant.getMessage().contains("names a constant, not an activation"), constant.getMessage());
  }
}
