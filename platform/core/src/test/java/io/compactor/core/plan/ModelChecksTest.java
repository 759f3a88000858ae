package io.compactor.core.plan;

import static io.compactor.core.plan.PlannerTest.FILTER;
import static io.compactor.core.plan.PlannerTest.INT8;
import static io.compactor.core.plan.PlannerTest.TWO_OF_FOUR;
import static io.compactor.core.plan.PlannerTest.plan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.api.Int8Keys;
import io.compactor.core.config.InvalidConfigException;
import io.compactor.core.config.Problem;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The configuration rules that need the model, reported together with the file's own problems. */
class ModelChecksTest {
  private static List<Problem> problems(String cfg) {
    return assertThrows(InvalidConfigException.class, () -> plan(cfg)).problems();
  }

  private static Problem only(String cfg, String path, String... fragments) {
    List<Problem> ps = problems(cfg);
    assertEquals(1, ps.size(), ps::toString);
    Problem p = ps.get(0);
    assertEquals(path, p.path(), p.message());
    for (String f : fragments) {
      assertTrue(p.message().contains(f), () -> "'" + f + "' missing from: " + p.message());
    }
    return p;
  }

  @Test
  void anOverrideNamingNoNodeListsTheClosestNames() {
    only(INT8 + "override_layer_configs { layer_name: \"stemm\" retrain_weight_quant_config { } }",
        "override_layer_configs[0].layer_name", "names no node of the model, got \"stemm\"",
        "closest: \"stem\"");
    only(INT8 + "override_layer_configs { layer_name: \"conv\" retrain_weight_quant_config { } }",
        "override_layer_configs[0].layer_name", "closest: \"rgb_conv\", \"seq_conv\"");
  }

  @Test
  void skipEntriesNamingNoNodeAreErrors() {
    only(INT8 + "skip_layers: \"pw\" quant_skip_layers: \"fc\"", "quant_skip_layers[0]",
        "names no node of the model, got \"fc\"", "closest: \"fc1\"");
    only(TWO_OF_FOUR + "regular_prune_skip_layers: [\"stem\", \"hed\"]", "regular_prune_skip_layers[1]",
        "closest: \"head\"");
  }

  @Test
  void anOverrideNamingAnOperatorThatCannotBeCompressedIsAnError() {
    only(INT8 + "override_layer_configs { layer_name: \"gram\" retrain_weight_quant_config { } }",
        "override_layer_configs[0].layer_name", "names an operator Compactor cannot compress",
        "weight input 'proj_t.out' is not a constant initializer");
    only(INT8 + "override_layer_configs { layer_name: \"relu\" retrain_weight_quant_config { } }",
        "override_layer_configs[0].layer_name", "it is a Relu (Compactor compresses Conv, ConvTranspose, Gemm and MatMul");
  }

  @Test
  void aSkipEntryNamingAnOperatorThatCannotBeCompressedOnlyWarns() {
    Plan p = plan(INT8 + "skip_layers: \"relu\"");
    assertEquals(List.of("skip_layers[0] (\"relu\") has no effect: it is a Relu (Compactor compresses Conv, "
        + "ConvTranspose, Gemm and MatMul with a constant weight, and Gather on a constant table)"), p.warnings());
  }

  @Test
  void typesTheModelDoesNotHaveAreErrorsWithSuggestions() {
    only(INT8 + "override_layer_types { layer_type: \"Conv2D\" retrain_weight_quant_config { } }",
        "override_layer_types[0].layer_type", "selects no operator of the model, got \"Conv2D\"",
        "did you mean \"Conv2d\"?",
        "types with compressible operators in this model: Conv, ConvTranspose, Gemm, MatMul, Conv1d, Conv2d, "
            + "ConvTranspose2d, Linear");
    only(INT8 + "skip_layer_types: \"LSTM\"", "skip_layer_types[0]", "selects no operator of the model, got \"LSTM\"");
    Problem absent = only(INT8 + "quant_skip_types: \"Conv3d\"", "quant_skip_types[0]",
        "got \"Conv3d\" (Conv with a 3-D kernel)");
    assertTrue(!absent.message().contains("did you mean"), "a known type is not its own typo: " + absent);
  }

  @Test
  void aTypeOverrideSelectingOnlyUncompressibleOperatorsIsAnError() {
    only(INT8 + "override_layer_types { layer_type: \"Relu\" retrain_weight_quant_config { } }",
        "override_layer_types[0].layer_type", "selects no operator Compactor can compress (e.g. \"relu\"");
    Plan p = plan(INT8 + "quant_skip_types: \"Add\"");
    assertEquals(List.of("quant_skip_types[0] (\"Add\") has no effect: no operator it selects can be compressed"),
        p.warnings());
  }

  @Test
  void aLayerBothSkippedAndOverriddenForOneFeatureIsAnError() {
    only(INT8 + "quant_skip_layers: \"pw\"\n"
        + "override_layer_configs { layer_name: \"pw\" retrain_weight_quant_config { ulq_retrain { } } }",
        "override_layer_configs[0].retrain_weight_quant_config",
        "overrides quantization of a layer that quant_skip_layers excludes from quantization, got \"pw\" in both");
    only(FILTER + "skip_layer_types: \"Conv2d\"\n"
        + "override_layer_configs { layer_name: \"pw\" prune_config { filter_pruner { "
        + "balanced_l2_norm_filter_prune { prune_ratio: 0.1 } } } }",
        "override_layer_configs[0].prune_config",
        "a layer that skip_layer_types excludes from sparsity by its type \"Conv2d\"");
    only(FILTER + "regular_prune_skip_types: \"Linear\"\n"
        + "override_layer_types { layer_type: \"Gemm\" prune_config { filter_pruner { "
        + "balanced_l2_norm_filter_prune { prune_ratio: 0.1 } } } }",
        "override_layer_types[0].prune_config",
        "overrides sparsity of a type that regular_prune_skip_types (\"Linear\") excludes from sparsity");
  }

  @Test
  void skippingForOneFeatureAndOverridingTheOtherIsFine() {
    Plan p = plan(FILTER + INT8 + "quant_skip_layers: \"pw\"\n"
        + "override_layer_configs { layer_name: \"pw\" prune_config { filter_pruner { "
        + "balanced_l2_norm_filter_prune { prune_ratio: 0.6 } } } }\n"
        + "regular_prune_skip_layers: \"head\"\n"
        + "override_layer_types { layer_type: \"Gemm\" retrain_weight_quant_config { ulq_retrain { } } }");
    assertEquals(Combination.FILTER, PlannerTest.op(p, "pw").combination());
    assertEquals(Combination.INT8, PlannerTest.op(p, "head").combination());
  }

  @Test
  void channelWiseTrueOnGemmOrMatMulIsAnErrorAtThePathThatSetsIt() {
    only("retrain_weight_quant_config { arq_retrain { channel_wise: true } }",
        "retrain_weight_quant_config.arq_retrain.channel_wise",
        "channel_wise true is not allowed on Gemm and MatMul", "got true for 3 operators such as \"fc1\"",
        "override_layer_types { layer_type: \"Linear\"");
    only(INT8 + "override_layer_types { layer_type: \"MatMul\" retrain_weight_quant_config { ulq_retrain { channel_wise: true } } }",
        "override_layer_types[0].retrain_weight_quant_config.ulq_retrain.channel_wise", "got true for 1 operator such as \"proj\"");
    Plan fine = plan("""
        retrain_weight_quant_config { arq_retrain { channel_wise: true } }
        override_layer_types { layer_type: "Linear" retrain_weight_quant_config { arq_retrain { channel_wise: false } } }
        """);
    assertEquals(java.util.Optional.of(true),
        PlannerTest.op(fine, "stem").quantization().settings().bool(Int8Keys.CHANNEL_WISE.name()));
    Plan skipped = plan("retrain_weight_quant_config { arq_retrain { channel_wise: true } }\n"
        + "quant_skip_types: \"Linear\"");
    assertEquals(Combination.NONE, PlannerTest.op(skipped, "proj").combination(), "a skipped MatMul resolves nothing");
  }

  @Test
  void nothingToCompressIsAnError() {
    only(INT8 + "skip_layer_types: [\"Conv\", \"ConvTranspose\", \"Linear\"]", "",
        "nothing to compress: no operator of the model is selected by the configuration",
        "got 10 Conv/ConvTranspose/Gemm/MatMul operators, 1 without a constant weight, the rest skipped");
  }

  @Test
  void fileProblemsAndModelProblemsAreReportedTogether() {
    List<Problem> ps = problems("""
        retrain_weight_quant_config { arq_retrain { dst_type: INT4 } }
        prune_config { filter_pruner { balanced_l2_norm_filter_prune { prune_ratio: 0.3 } } }
        override_layer_configs { layer_name: "nope" prune_config { filter_pruner { balanced_l2_norm_filter_prune { prune_ratio: 2 } } } }
        regular_prune_skip_types: "Lstm"
        """);
    assertEquals(List.of("retrain_weight_quant_config.arq_retrain.dst_type",
        "override_layer_configs[0].prune_config.filter_pruner.balanced_l2_norm_filter_prune.prune_ratio",
        "override_layer_configs[0].layer_name", "regular_prune_skip_types[0]"),
        ps.stream().map(Problem::path).toList());
  }

  @Test
  void modelChecksAreSkippedWhenDroppedEntriesWouldShiftTheirPaths() {
    List<Problem> ps = problems(INT8 + """
        override_layer_configs { retrain_weight_quant_config { } }
        override_layer_configs { layer_name: "nope" retrain_weight_quant_config { } }
        """);
    assertEquals(List.of("override_layer_configs[0]"), ps.stream().map(Problem::path).toList(),
        "no error for 'nope' at a wrong index");
  }
}
