package io.compactor.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every rule that needs only the file; each problem names its config path, the value and the fix. */
class ConfigValidationTest {
  private static final String QUANT = "retrain_weight_quant_config { arq_retrain { } }\n";

  private static List<Problem> problems(String cfg) {
    return ConfigFile.parse(cfg, ConfigFormat.TEXT, "t.cfg").problems();
  }

  /** Asserts exactly one problem, at {@code path}, whose message contains every fragment. */
  private static Problem only(String cfg, String path, String... fragments) {
    List<Problem> ps = problems(cfg);
    assertEquals(1, ps.size(), () -> "expected one problem, got " + ps);
    Problem p = ps.get(0);
    assertEquals(path, p.path(), p.message());
    assertTrue(p.message().startsWith(path.isEmpty() ? "" : path + ": "), p.message());
    assertTrue(p.message().contains(", got ") && p.message().contains("; "), "form <what>, got <value>; <fix>: " + p);
    for (String f : fragments) {
      assertTrue(p.message().contains(f), () -> "'" + f + "' missing from: " + p.message());
    }
    return p;
  }

  @Test
  void unknownFieldsAreErrorsWithTheClosestValidName() {
    only("retrain_weight_quant_config { arq_retrain { chanel_wise: true } }",
        "retrain_weight_quant_config.arq_retrain.chanel_wise", "unknown field, got chanel_wise",
        "did you mean channel_wise?", "fields valid here: dst_type, channel_wise");
    only(QUANT + "prune_confg { }", "prune_confg", "did you mean prune_config?", "see docs/config.md");
    only(QUANT + "compression_ratio: 3", "compression_ratio", "unknown field");
  }

  @Test
  void aPruneConfigNeedsExactlyOnePruner() {
    only("prune_config { filter_pruner { balanced_l2_norm_filter_prune { prune_ratio: 0.3 } } "
        + "n_out_of_m_pruner { l1_selective_prune { } } }", "prune_config",
        "two members of the oneof regular_prune_strategy", "got filter_pruner and n_out_of_m_pruner");
    only("prune_config { }", "prune_config", "sets no pruner");
    only(QUANT + "override_layer_configs { layer_name: \"x\" prune_config { } }",
        "override_layer_configs[0].prune_config", "sets no pruner");
  }

  @Test
  void aSecondMemberOfTheWeightOneofIsAnError() {
    only("retrain_weight_quant_config { arq_retrain { } ulq_retrain { } }", "retrain_weight_quant_config",
        "two members of the oneof weights_retrain_algo", "got arq_retrain and ulq_retrain", "keep one");
  }

  @Test
  void onlyTheAmctPrunerAlgorithmsAreAccepted() {
    only("prune_config { filter_pruner { } }", "prune_config.filter_pruner",
        "only balanced_l2_norm_filter_prune is supported");
    only("prune_config { n_out_of_m_pruner { } }", "prune_config.n_out_of_m_pruner",
        "only l1_selective_prune is supported");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "1", "-0.1", "1.5", "0.0", "1.0"})
  void pruneRatioMustBeStrictlyBetweenZeroAndOne(String ratio) {
    only("prune_config { filter_pruner { balanced_l2_norm_filter_prune { prune_ratio: " + ratio + " } } }",
        "prune_config.filter_pruner.balanced_l2_norm_filter_prune.prune_ratio",
        "must be between 0 and 1 (exclusive), got " + Double.parseDouble(ratio));
  }

  @Test
  void pruneRatioIsRequired() {
    only("prune_config { filter_pruner { balanced_l2_norm_filter_prune { ascend_optimized: false } } }",
        "prune_config.filter_pruner.balanced_l2_norm_filter_prune.prune_ratio", "is required");
  }

  @Test
  void clipRangeMustStraddleZeroAndComeAsAPair() {
    String pre = QUANT + "retrain_data_quant_config { ulq_quantize { clip_max_min { ";
    String clipPath = "retrain_data_quant_config.ulq_quantize.clip_max_min";
    only(pre + "clip_max: 0 clip_min: -1 } } }", clipPath + ".clip_max", "must be positive, got 0.0");
    only(pre + "clip_max: -2 clip_min: -1 } } }", clipPath + ".clip_max", "must be positive, got -2.0");
    only(pre + "clip_max: 2 clip_min: 0 } } }", clipPath + ".clip_min", "must be negative, got 0.0");
    only(pre + "clip_max: 2 clip_min: 0.5 } } }", clipPath + ".clip_min", "must be negative, got 0.5");
    only(pre + "clip_max: 2 } } }", clipPath, "clip_max and clip_min are both required", "got only clip_max",
        "add clip_min");
    only(pre + "clip_min: -2 } } }", clipPath, "got only clip_min", "add clip_max");
    only(pre + "} } }", clipPath, "both required", "got an empty clip_max_min");
  }

  @Test
  void onlyInt8IsAccepted() {
    only("retrain_weight_quant_config { arq_retrain { dst_type: INT4 } }",
        "retrain_weight_quant_config.arq_retrain.dst_type", "only INT8 is supported, got INT4");
    only("retrain_weight_quant_config { ulq_retrain { dst_type: INT16 } }",
        "retrain_weight_quant_config.ulq_retrain.dst_type", "got INT16");
    only("retrain_data_quant_config { ulq_quantize { dst_type: 0 } }",
        "retrain_data_quant_config.ulq_quantize.dst_type", "got INT4");
    only("retrain_data_quant_config { ulq_quantize { dst_type: FP8 } }",
        "retrain_data_quant_config.ulq_quantize.dst_type", "is not a value of DataType, got FP8",
        "use one of INT4, INT8, INT16");
  }

  @Test
  void onlyM4N2IsAccepted() {
    only("prune_config { n_out_of_m_pruner { l1_selective_prune { n_out_of_m_type: M8N4 } } }",
        "prune_config.n_out_of_m_pruner.l1_selective_prune.n_out_of_m_type",
        "is not a value of NOutOfMType, got M8N4; use one of M4N2");
    only("prune_config { n_out_of_m_pruner { l1_selective_prune { n_out_of_m_type: 1 } } }",
        "prune_config.n_out_of_m_pruner.l1_selective_prune.n_out_of_m_type", "got 1");
    only("prune_config { n_out_of_m_pruner { l1_selective_prune { update_freq: -1 } } }",
        "prune_config.n_out_of_m_pruner.l1_selective_prune.update_freq", "whole number");
  }

  @Test
  void duplicateOverrideNamesAndTypesAreErrors() {
    only(QUANT + """
        override_layer_configs { layer_name: "conv1" prune_config { filter_pruner { balanced_l2_norm_filter_prune { prune_ratio: 0.2 } } } }
        override_layer_configs { layer_name: "conv2" }
        override_layer_configs { layer_name: "conv1" retrain_weight_quant_config { } }
        """, "override_layer_configs[2].layer_name", "repeats override_layer_configs[0]",
        "Please delete repeated items", "got \"conv1\"");
    only(QUANT + """
        override_layer_types { layer_type: "MatMul" retrain_weight_quant_config { } }
        override_layer_types { layer_type: "MatMul" retrain_data_quant_config { } }
        """, "override_layer_types[1].layer_type", "repeats override_layer_types[0]");
  }

  @Test
  void typeOverridesThatSelectTheSameOperatorsThroughAliasesAreDuplicates() {
    only(QUANT + """
        override_layer_types { layer_type: "Linear" retrain_weight_quant_config { } }
        override_layer_types { layer_type: "MatMul" retrain_weight_quant_config { } }
        """, "override_layer_types[1].layer_type", "override_layer_types[0] (\"Linear\", every Gemm and MatMul)");
    only(QUANT + """
        override_layer_types { layer_type: "Conv" retrain_weight_quant_config { } }
        override_layer_types { layer_type: "Conv2d" retrain_weight_quant_config { } }
        """, "override_layer_types[1].layer_type", "got \"Conv2d\" (Conv with a 2-D kernel)");
    assertEquals(List.of(), problems(QUANT + """
        override_layer_types { layer_type: "Conv1d" retrain_weight_quant_config { } }
        override_layer_types { layer_type: "Conv2d" retrain_weight_quant_config { } }
        override_layer_types { layer_type: "Gemm" retrain_weight_quant_config { } }
        override_layer_types { layer_type: "MatMul" retrain_weight_quant_config { } }
        """), "different kernel ranks and different op types do not overlap");
  }

  @Test
  void filterAndTwoOfFourNeverMeetInOneFile() {
    only("""
        prune_config { filter_pruner { balanced_l2_norm_filter_prune { prune_ratio: 0.3 } } }
        override_layer_configs { layer_name: "fc"
          prune_config { n_out_of_m_pruner { l1_selective_prune { } } } }
        """, "override_layer_configs[0].prune_config",
        "requests 2:4 sparsity (n_out_of_m_pruner) while prune_config requests filter pruning (filter_pruner)",
        "filter pruning and 2:4 never combine");
    List<Problem> ps = problems(QUANT + """
        override_layer_types { layer_type: "Conv" prune_config { n_out_of_m_pruner { l1_selective_prune { } } } }
        override_layer_configs { layer_name: "a" prune_config { filter_pruner { balanced_l2_norm_filter_prune { prune_ratio: 0.1 } } } }
        override_layer_configs { layer_name: "b" prune_config { n_out_of_m_pruner { l1_selective_prune { } } } }
        """);
    assertEquals(1, ps.size(), ps.toString());
    assertEquals("override_layer_configs[0].prune_config", ps.get(0).path());
  }

  @Test
  void nothingToDoIsAnError() {
    Problem p = only("skip_layers: \"conv1\"\noverride_layer_configs { layer_name: \"conv2\" "
        + "prune_config { filter_pruner { balanced_l2_norm_filter_prune { prune_ratio: 0.3 } } } }", "",
        "nothing to do: the configuration enables neither quantization nor sparsity",
        "overrides alone enable nothing");
    assertTrue(p.message().startsWith("nothing to do"), p.message());
    only("", "", "nothing to do");
  }

  @Test
  void singleFieldsMayAppearOnce() {
    only(QUANT + "batch_num: 1 batch_num: 2", "batch_num", "is given 2 times, got 1 and 2", "keep one");
    only(QUANT + "batch_num: [1, 2]", "batch_num", "is not a repeated field, got [");
    only("retrain_weight_quant_config { } retrain_weight_quant_config { }", "retrain_weight_quant_config",
        "is given 2 times, got { ... } and { ... }");
    only(QUANT + "override_layer_configs { layer_name: \"a\" layer_name: \"b\" }",
        "override_layer_configs[0].layer_name", "is given 2 times, got \"a\" and \"b\"");
  }

  @Test
  void valuesMustHaveTheRightKind() {
    only(QUANT + "batch_num: 0", "batch_num", "must be from 1 to");
    only(QUANT + "batch_num: 1.5", "batch_num", "must be a whole number");
    only(QUANT + "batch_num: \"2\"", "batch_num", "must be a whole number", "got \"2\"");
    only("prune_config { filter_pruner { balanced_l2_norm_filter_prune { prune_ratio: \"0.3\" } } }",
        "prune_config.filter_pruner.balanced_l2_norm_filter_prune.prune_ratio", "must be a finite number, got \"0.3\"");
    only("prune_config { filter_pruner { balanced_l2_norm_filter_prune { prune_ratio: inf } } }",
        "prune_config.filter_pruner.balanced_l2_norm_filter_prune.prune_ratio", "must be a finite number, got Infinity");
    only(QUANT + "retrain_data_quant_config { ulq_quantize { clip_max_min { clip_max: nan clip_min: -1 } } }",
        "retrain_data_quant_config.ulq_quantize.clip_max_min.clip_max", "must be a finite number, got NaN");
    only(QUANT + "override_layer_configs { layer_name: conv1 retrain_weight_quant_config { } }",
        "override_layer_configs[0].layer_name", "must be a quoted string", "\"conv1\"");
    only("retrain_data_quant_config { ulq_quantize { fixed_min: yes } }",
        "retrain_data_quant_config.ulq_quantize.fixed_min", "must be true or false, got yes");
    only("prune_config: 0.3", "prune_config", "must be a message { ... }, got 0.3");
    only(QUANT + "skip_layers: 3", "skip_layers[0]", "must be a quoted string");
    only(QUANT + "skip_layers: \"\"", "skip_layers[0]", "must not be empty");
  }

  @Test
  void overrideEntriesNeedANameOrType() {
    ConfigFile f = ConfigFile.parse(QUANT + "override_layer_configs { retrain_weight_quant_config { } }\n"
        + "override_layer_types { layer_type: \"\" }", ConfigFormat.TEXT, "t.cfg");
    assertEquals(List.of("override_layer_types[0].layer_type", "override_layer_configs[0]"),
        f.problems().stream().map(Problem::path).toList());
    assertTrue(f.problems().get(1).message().contains("has no layer_name"), f.problems().toString());
    assertFalse(f.complete(), "dropped entries shift the indices of the ones after them");
  }

  @Test
  void repeatedSkipEntriesAndEmptyOverridesAreWarnings() {
    ConfigFile f = ConfigFile.parse(QUANT + """
        skip_layers: "a" skip_layers: "a"
        override_layer_configs { layer_name: "b" }
        """, ConfigFormat.TEXT, "t.cfg");
    assertEquals(List.of(), f.problems());
    assertEquals(List.of("a", "a"), f.config().skipLayers(), "kept as written so indices match the file");
    assertEquals(List.of("skip_layers[1] repeats \"a\"; the duplicate is ignored",
        "override_layer_configs[0] (\"b\") sets no retrain_data_quant_config, retrain_weight_quant_config "
            + "or prune_config; it has no effect"), f.warnings());
  }

  @Test
  void everyProblemIsReportedAtOnceInFileOrder() {
    String cfg = """
        batch_num: 0
        retrain_data_quant_config { ulq_quantize { clip_max_min { clip_max: 6.0 } dst_type: INT4 } }
        retrain_weight_quant_config { arq_retrain { chanel_wise: true } }
        prune_config { filter_pruner { balanced_l2_norm_filter_prune { prune_ratio: 1.2 } } }
        override_layer_configs { layer_name: "fc" prune_config { n_out_of_m_pruner { l1_selective_prune { } } } }
        """;
    List<String> paths = problems(cfg).stream().map(Problem::path).toList();
    assertEquals(List.of("batch_num", "retrain_data_quant_config.ulq_quantize.clip_max_min",
        "retrain_data_quant_config.ulq_quantize.dst_type", "retrain_weight_quant_config.arq_retrain.chanel_wise",
        "prune_config.filter_pruner.balanced_l2_norm_filter_prune.prune_ratio"), paths,
        "the 2:4 override does not clash with a filter block that was itself invalid");
    InvalidConfigException e = assertThrows(InvalidConfigException.class,
        () -> ConfigFile.parse(cfg, ConfigFormat.TEXT, "bad.cfg").orThrow());
    assertEquals("bad.cfg", e.source());
    assertEquals(5, e.problems().size());
    assertTrue(e.getMessage().startsWith("bad.cfg: 5 problems in the configuration"), e.getMessage());
    assertEquals(6, e.getMessage().lines().count(), e.getMessage());
  }

  @Test
  void jsonAndTextGiveIdenticalProblems() {
    String cfg = """
        batch_num: 0
        retrain_weight_quant_config { arq_retrain { dst_type: INT16 } }
        prune_config { filter_pruner { balanced_l2_norm_filter_prune { prune_ratio: 0 } } }
        override_layer_configs { layer_name: "fc" prune_config { n_out_of_m_pruner { l1_selective_prune { update_freq: 2 } } } }
        override_layer_configs { layer_name: "conv" prune_config { filter_pruner { balanced_l2_norm_filter_prune { prune_ratio: 0.5 } } } }
        override_layer_configs { layer_name: "fc" retrain_data_quant_config { ulq_quantize { clip_max_min { clip_min: 1 } } } }
        override_layer_types { layer_type: "Linear" bogus: 1 }
        skip_layers: "x" skip_layers: "x"
        """;
    String json = """
        {"batch_num": 0,
         "retrain_weight_quant_config": {"arq_retrain": {"dst_type": "INT16"}},
         "prune_config": {"filter_pruner": {"balanced_l2_norm_filter_prune": {"prune_ratio": 0}}},
         "override_layer_configs": [
           {"layer_name": "fc", "prune_config": {"n_out_of_m_pruner": {"l1_selective_prune": {"update_freq": 2}}}},
           {"layer_name": "conv", "prune_config": {"filter_pruner": {"balanced_l2_norm_filter_prune": {"prune_ratio": 0.5}}}},
           {"layer_name": "fc", "retrain_data_quant_config": {"ulq_quantize": {"clip_max_min": {"clip_min": 1}}}}],
         "override_layer_types": [{"layer_type": "Linear", "bogus": 1}],
         "skip_layers": ["x", "x"]}
        """;
    ConfigFile t = ConfigFile.parse(cfg, ConfigFormat.TEXT, "same");
    ConfigFile j = ConfigFile.parse(json, ConfigFormat.JSON, "same");
    assertTrue(t.problems().size() >= 6, t.problems().toString());
    assertEquals(messages(t.problems()), messages(j.problems()));
    assertEquals(t.warnings(), j.warnings());
    assertTrue(t.problems().stream().allMatch(Problem::located), "every problem of this file has a place: " + t);
    assertTrue(j.problems().stream().allMatch(Problem::located), "every problem of this file has a place: " + j);
  }

  private static List<String> messages(List<Problem> ps) {
    return ps.stream().map(Problem::message).toList();
  }

  /** What the schema refuses reads the same in both formats (protobuf's text parser stops at the first). */
  @Test
  void schemaProblemsReadTheSameInBothFormats() {
    String[][] cases = {
        {"retrain_weight_quant_config { arq_retrain { } ulq_retrain { } }",
            "{\"retrain_weight_quant_config\": {\"arq_retrain\": {}, \"ulq_retrain\": {}}}"},
        {"prune_config { filter_pruner { balanced_l2_norm_filter_prune { prune_ratio: \"0.3\" } } }",
            "{\"prune_config\": {\"filter_pruner\": {\"balanced_l2_norm_filter_prune\": {\"prune_ratio\": \"0.3\"}}}}"},
        {"retrain_data_quant_config { ulq_quantize { dst_type: FP8 } }",
            "{\"retrain_data_quant_config\": {\"ulq_quantize\": {\"dst_type\": \"FP8\"}}}"},
        {QUANT + "override_layer_configs { layer_name: \"a\" } override_layer_configs { layer_name: 3 }",
            "{\"retrain_weight_quant_config\": {}, \"override_layer_configs\": [{\"layer_name\": \"a\"}, {\"layer_name\": 3}]}"},
        {"retrain_data_quant_config { ulq_quantize { fixed_min: yes } }",
            "{\"retrain_data_quant_config\": {\"ulq_quantize\": {\"fixed_min\": \"yes\"}}}"},
        {QUANT + "batch_num: -1", "{\"retrain_weight_quant_config\": {}, \"batch_num\": -1}"},
        {"prune_config: 0.3", "{\"prune_config\": 0.3}"}};
    for (String[] c : cases) {
      List<Problem> t = problems(c[0]);
      List<Problem> j = ConfigFile.parse(c[1], ConfigFormat.JSON, "t.json").problems();
      assertEquals(1, t.size(), t.toString());
      assertTrue(t.get(0).located(), t.toString());
      assertTrue(j.get(0).located(), j.toString());
      String text = t.get(0).message().replace("\"yes\"", "yes").replace("got \"FP8\"", "got FP8");
      assertEquals(text, j.get(0).message().replace("\"yes\"", "yes").replace("got \"FP8\"", "got FP8"), c[0]);
    }
  }

  @Test
  void problemsCarryTheLineAndColumnOfTheirField() {
    List<Problem> ps = problems("""
        retrain_weight_quant_config { arq_retrain { } }
        batch_num: 0
        override_layer_configs { layer_name: "fc" }
        override_layer_configs {
          layer_name: "fc" }
        """);
    assertEquals(List.of("batch_num", "override_layer_configs[1].layer_name"),
        ps.stream().map(Problem::path).toList());
    assertEquals(List.of(2, 5), ps.stream().map(Problem::line).toList());
    assertEquals(List.of(1, 3), ps.stream().map(Problem::column).toList());
    assertTrue(ps.get(0).toString().startsWith("batch_num: must be from 1"), ps.get(0).toString());
    assertTrue(ps.get(0).toString().endsWith("e.g. 1 (line 2, column 1)"), ps.get(0).toString());
    InvalidConfigException e = assertThrows(InvalidConfigException.class,
        () -> ConfigFile.parse("batch_num: 0\nprune_confg { }", ConfigFormat.TEXT, "x.cfg").orThrow());
    assertTrue(e.getMessage().contains("  - prune_confg: unknown field"), e.getMessage());
    assertTrue(e.getMessage().contains("fields valid here (line 2, column 1)"), e.getMessage());
    Problem nothing = e.problems().stream().filter(p -> p.path().isEmpty()).findFirst().orElseThrow();
    assertFalse(nothing.located(), "a rule about the whole file has no place: " + nothing);
    Problem json = ConfigFile.parse("{\"retrain_weight_quant_config\": {},\n \"batch_num\": 0}", ConfigFormat.JSON,
        "j").problems().get(0);
    assertEquals(2, json.line());
    assertEquals(2, json.column());
  }

  @Test
  void jsonNullAndDuplicateKeysAreReportedLikeTheTextFormat() {
    List<Problem> nul = ConfigFile.parse("{\"retrain_weight_quant_config\": {}, \"batch_num\": null}",
        ConfigFormat.JSON, "j").problems();
    assertEquals(1, nul.size(), nul.toString());
    assertTrue(nul.get(0).message().startsWith("batch_num: must be a single value, got null"), nul.toString());
    List<Problem> dup = ConfigFile.parse("{\"retrain_weight_quant_config\": {}, \"batch_num\": 1, \"batch_num\": 2}",
        ConfigFormat.JSON, "j").problems();
    assertEquals(messages(problems(QUANT + "batch_num: 1 batch_num: 2")), messages(dup));
  }
}
