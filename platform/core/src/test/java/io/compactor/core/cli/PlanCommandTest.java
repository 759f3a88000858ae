package io.compactor.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.compactor.api.Capabilities;
import io.compactor.api.RetrainingMethod;
import io.compactor.api.StepContext;
import io.compactor.api.StepResult;
import io.compactor.api.UnsupportedOperator;
import io.compactor.core.plan.MethodCatalog;
import io.compactor.core.plan.PlanModels;
import io.compactor.core.plan.Provider;
import io.compactor.core.plan.TestMethods;
import io.compactor.onnx.fixtures.TestModels;
import io.compactor.onnx.graph.OnnxModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PlanCommandTest {
  private static final Path EXAMPLE_CFG = Path.of("../../examples/minilm-2of4-int8.cfg");
  private static final Path EXAMPLE_JSON = Path.of("../../examples/minilm-2of4-int8.json");
  @TempDir static Path shared;
  static Path minilm;
  static Path zoo;
  @TempDir Path dir;

  @BeforeAll
  static void models() {
    minilm = TestModels.miniLm(shared);
    zoo = shared.resolve("zoo.onnx");
    PlanModels.zoo(false).save(zoo);
  }

  private static Cli.Run run(MethodCatalog catalog, String... args) {
    return Cli.run(new CommandLine.IFactory() {
      @Override
      public <K> K create(Class<K> type) throws Exception {
        return type == PlanCommand.class ? type.cast(new PlanCommand(catalog))
            : CommandLine.defaultFactory().create(type);
      }
    }, args);
  }

  private static Cli.Run run(String... args) {
    return Cli.run(args);
  }

  @Test
  void withoutAHostTheTableShowsTheResolvedCombinationAndThatNoProviderIsInstalled() {
    Cli.Run r = run("plan", "--model", minilm.toString(), "--config", EXAMPLE_CFG.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("sparsity  sparsity.2of4: no provider installed, so nothing would run"), r.out());
    assertTrue(r.out().matches("(?s).*/encoder/layer\\.0/attention/self/query/MatMul +MatMul +none \\(asked "
        + "2of4\\+int8\\) +2of4 s1 \\(no provider\\) +int8 q1 \\(no provider\\).*"), r.out());
    assertTrue(r.out().contains("s2  sparsity.2of4  n_out_of_m_type=M4N2 update_freq=4  (from "
        + "override_layer_configs[0].prune_config; 1 operator)"), r.out());
    assertTrue(r.out().contains("requested none 15, 2of4+int8 36"), r.out());
    assertTrue(r.out().contains("totals    none 51  (0 of 51 operators compressed)"), r.out());
  }

  @Test
  void withProvidersTheTableNamesThemAndTheReasonsForEveryPartLeftOut() throws Exception {
    Path cfg = dir.resolve("c.cfg");
    Files.writeString(cfg, """
        prune_config { n_out_of_m_pruner { l1_selective_prune { } } }
        retrain_weight_quant_config { arq_retrain { } }
        quant_skip_layers: "head"
        """);
    Cli.Run r = run(TestMethods.all(), "plan", "--model", zoo.toString(), "--config", cfg.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("sparsity  sparsity.2of4 by io.compactor.test.sparsity2of4 1.2.3"), r.out());
    assertTrue(r.out().matches("(?s).*\\nrgb_conv +Conv +int8 \\(asked 2of4\\+int8\\) +2of4 s1 \\(ineligible\\) +int8 q1 "
        + "+sparsity ineligible: Cin = 3 is not a multiple of 4\\n.*"), r.out());
    assertTrue(r.out().matches("(?s).*\\nhead +Gemm +2of4 +2of4 s1 +skipped +quantization skipped by quant_skip_layers\\n.*"),
        r.out());
    assertTrue(r.out().contains("totals    none 1, int8 3, 2of4 1, 2of4+int8 5  (9 of 10 operators compressed)"),
        r.out());
  }

  @Test
  void jsonIsMachineReadableAndTheSameForCfgAndJsonConfigurations() throws Exception {
    Cli.Run cfg = run("plan", "--model", minilm.toString(), "--config", EXAMPLE_CFG.toString(), "--json");
    Cli.Run json = run("plan", "--model", minilm.toString(), "--config", EXAMPLE_JSON.toString(), "--json");
    assertEquals(0, cfg.code(), cfg.err());
    ObjectMapper mapper = new ObjectMapper();
    JsonNode a = mapper.readTree(cfg.out());
    JsonNode b = mapper.readTree(json.out());
    assertEquals(48 + 3, a.get("operators").size(), "48 MatMuls and 3 embedding tables");
    JsonNode first = a.get("operators").get(3); // after the word, token-type and position tables
    assertEquals("/encoder/layer.0/attention/self/query/MatMul", first.get("node").asText());
    assertEquals("none", first.get("combination").asText());
    assertEquals("2of4+int8", first.get("requested").asText());
    assertEquals("no-provider", first.get("sparsity").get("decision").asText());
    assertEquals("sparsity.2of4", first.get("sparsity").get("capability").asText());
    assertEquals(0, first.get("sparsity").get("settings").get("update_freq").asInt());
    assertEquals("no provider for sparsity.2of4 is installed", first.get("sparsity").get("reason").asText());
    assertFalse(first.get("sparsity").has("provider"));
    assertFalse(a.get("providers").get("quant.int8").get("installed").asBoolean());
    assertEquals(36, a.get("requested_totals").get("2of4+int8").asInt());
    assertEquals("unsupported", a.get("operators").get(3 + 3).get("quantization").get("decision").asText());
    ((ObjectNode) a).remove("config");
    ((ObjectNode) b).remove("config");
    assertEquals(a, b);
  }

  @Test
  void embeddingTablesAndFloatActivationsShowInTheTable() throws Exception {
    Path cfg = dir.resolve("tables.cfg");
    String ln = "/encoder/layer.0/attention/output/LayerNorm/Add_1_output_0";
    Files.writeString(cfg, """
        retrain_weight_quant_config { arq_retrain { } }
        override_layer_types { layer_type: "Gather" retrain_weight_quant_config { arq_retrain { } } }
        compactor_float_activations: "%s"
        """.formatted(ln));
    Cli.Run r = run(TestMethods.all(), "plan", "--model", minilm.toString(), "--config", cfg.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("float     " + ln + "  (compactor_float_activations"), r.out());
    assertTrue(r.out().matches("(?s).*\\n/embeddings/word_embeddings/Gather +Gather +int8 +unsupported +int8 q\\d.*"),
        r.out());
    assertTrue(!r.out().contains("float_activations="), "the list is not repeated in the settings legend");
    Files.writeString(cfg, "retrain_weight_quant_config { }\ncompactor_float_activations: \"" + ln.replace("Add_1", "Add_9")
        + "\"\n");
    Cli.Run bad = run(TestMethods.all(), "plan", "--model", minilm.toString(), "--config", cfg.toString());
    assertEquals(2, bad.code(), bad.out());
    assertTrue(bad.err().contains("names no tensor of the model") && bad.err().contains(ln), bad.err());
  }

  @Test
  void configurationErrorsExitTwoAndListEveryProblem() throws Exception {
    Path bad = dir.resolve("bad.cfg");
    Files.writeString(bad, """
        retrain_weight_quant_config { arq_retrain { channel_wise: true } }
        prune_config { filter_pruner { balanced_l2_norm_filter_prune { prune_ratio: 1.5 } } }
        override_layer_configs { layer_name: "/encoder/layer.0/attention/self/querry/MatMul"
          retrain_data_quant_config { ulq_quantize { clip_max_min { clip_max: 6.0 } } } }
        """);
    Cli.Run r = run("plan", "--model", minilm.toString(), "--config", bad.toString());
    assertEquals(2, r.code(), r.out());
    assertTrue(r.err().contains("error: " + bad + ": 4 problems in the configuration"), r.err());
    for (String path : new String[] {"prune_config.filter_pruner.balanced_l2_norm_filter_prune.prune_ratio: ",
        "override_layer_configs[0].retrain_data_quant_config.ulq_quantize.clip_max_min: ",
        "override_layer_configs[0].layer_name: names no node of the model",
        "retrain_weight_quant_config.arq_retrain.channel_wise: channel_wise true is not allowed"}) {
      assertTrue(r.err().contains("  - " + path), () -> path + " missing from " + r.err());
    }
    assertFalse(r.err().contains("\tat "), "no stack trace without --verbose");
    assertEquals("", r.out());
  }

  @Test
  void verbosePrintsTheStackTrace() throws Exception {
    Path bad = dir.resolve("bad.cfg");
    Files.writeString(bad, "prune_config { }");
    Cli.Run r = run("plan", "--model", minilm.toString(), "--config", bad.toString(), "--verbose");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("\tat io.compactor.core.plan.Planner.plan"), r.err());
  }

  @Test
  void aMissingConfigurationFileExitsTwo() {
    Cli.Run r = run("plan", "--model", minilm.toString(), "--config", dir.resolve("nope.cfg").toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("the configuration file does not exist"), r.err());
  }

  @Test
  void theConfigurationIsRequired() {
    Cli.Run r = run("plan", "--model", minilm.toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("Missing required option: '--config=C.cfg|C.json'"), r.err());
  }

  @Test
  void retrainingShowsItsSettingsAndWhichOperatorsCannotBeTrained() throws Exception {
    Path cfg = dir.resolve("retrain.cfg");
    Files.writeString(cfg, Files.readString(EXAMPLE_CFG) + "\ncompactor_retrain { epochs: 2 on_unsupported: SKIP }\n");
    MethodCatalog withRetrainer = c -> c.equals(Capabilities.RETRAIN_DISTILL)
        ? Optional.of(new Provider("test.retrain", "1.0.0", new Untrainable("Softmax"))) : TestMethods.all().provider(c);

    Cli.Run r = run(withRetrainer, "plan", "--model", minilm.toString(), "--config", cfg.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("retrain   retrain.distill on test.retrain 1.0.0"), r.out());
    assertTrue(r.out().contains("epochs 2, learning_rate"), r.out());
    assertTrue(r.out().matches("(?s).*cannot train \\d+ operator\\(s\\): \\S*Softmax\\S* \\(Softmax\\): no converter.*"),
        r.out());
    assertTrue(r.out().contains("on_unsupported SKIP: the job runs without retraining"), r.out());

    Cli.Run json = run(withRetrainer, "plan", "--model", minilm.toString(), "--config", cfg.toString(), "--json");
    JsonNode tree = new ObjectMapper().readTree(json.out());
    assertFalse(tree.at("/retraining/applies").asBoolean(true), json.out());
    assertEquals(2, tree.at("/retraining/settings/epochs").asInt());
    assertEquals("Softmax", tree.at("/retraining/unsupported/0/op_type").asText());

    Cli.Run none = run("plan", "--model", minilm.toString(), "--config", cfg.toString());
    assertTrue(none.out().contains("retrain   retrain.distill on (not installed"), none.out());
  }

  /** A retraining method that cannot train one op type. */
  private record Untrainable(String opType) implements RetrainingMethod {
    @Override
    public String capability() {
      return Capabilities.RETRAIN_DISTILL;
    }

    @Override
    public List<UnsupportedOperator> unsupportedOperators(OnnxModel model) {
      return model.graph().nodes().stream().filter(n -> n.opType().equals(opType))
          .map(n -> new UnsupportedOperator(n.name(), n.opType(), "no converter")).toList();
    }

    @Override
    public StepResult apply(StepContext context) {
      throw new UnsupportedOperationException("plan only");
    }
  }
}
