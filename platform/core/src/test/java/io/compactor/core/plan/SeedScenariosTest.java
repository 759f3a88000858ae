package io.compactor.core.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.api.FilterPruneKeys;
import io.compactor.api.Int8Keys;
import io.compactor.api.TwoOfFourKeys;
import io.compactor.core.config.ConfigFile;
import io.compactor.core.config.ConfigFormat;
import io.compactor.core.plan.Assignment.Decision;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The eight compression-combination scenarios of the seed on {@link PlanModels#zoo}, each written as
 * {@code .cfg} and as {@code .json} (src/test/resources/scenarios): both must give the same plan, and
 * every operator the combination its settings and the methods' eligibility imply. Eligibility of the
 * test methods: 2:4 refuses rgb_conv (Cin 3), dw (grouped) and seq_conv (1-D kernel); filter pruning
 * refuses dw (depthwise), up (ConvTranspose) and seq_conv; INT8 takes everything; gram has no constant
 * weight.
 */
class SeedScenariosTest {
  private static String resource(String name) {
    try (InputStream in = SeedScenariosTest.class.getResourceAsStream("/scenarios/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Plans the scenario from both files, checks they agree, and returns the plan. */
  private static Plan scenario(String name) {
    Planner planner = new Planner(TestMethods.all());
    Plan text = planner.plan(PlanModels.zoo(false),
        ConfigFile.parse(resource(name + ".cfg"), ConfigFormat.TEXT, name + ".cfg"));
    Plan json = planner.plan(PlanModels.zoo(false),
        ConfigFile.parse(resource(name + ".json"), ConfigFormat.JSON, name + ".json"));
    assertEquals(text.operators(), json.operators(), "the .cfg and .json plans differ");
    assertEquals(text.warnings(), json.warnings());
    assertTrue(text.warnings().isEmpty(), text.warnings().toString());
    return text;
  }

  /** Asserts the applied combination of every operator, e.g. {@code "stem=2of4+int8 dw=int8 ..."}. */
  private static void expect(Plan p, String expected) {
    Map<String, String> want = new LinkedHashMap<>();
    Arrays.stream(expected.trim().split("\\s+")).map(s -> s.split("=")).forEach(kv -> want.put(kv[0], kv[1]));
    want.put("gram", "none");
    Map<String, String> got = new LinkedHashMap<>();
    p.operators().forEach(o -> got.put(o.node(), o.combination().label()));
    assertEquals(new TreeMap<>(want), new TreeMap<>(got));
  }

  private static Optional<Object> setting(Plan p, String node, boolean sparsity, String key) {
    OperatorPlan o = PlannerTest.op(p, node);
    return (sparsity ? o.sparsity() : o.quantization()).settings().get(key);
  }

  @Test
  void s1WholeQuantizationWholeSparsity() {
    Plan p = scenario("s1-whole-quant-whole-sparsity");
    expect(p, "stem=2of4+int8 rgb_conv=int8 dw=int8 pw=2of4+int8 up=2of4+int8 fc1=2of4+int8 proj=2of4+int8 "
        + "head=2of4+int8 seq_conv=int8");
    assertEquals(9, p.requestedTotals().get(Combination.TWO_OF_FOUR_INT8), "every compressible op asks for both");
  }

  @Test
  void s2PartialQuantizationWholeSparsity() {
    Plan p = scenario("s2-partial-quant-whole-sparsity");
    expect(p, "stem=filter rgb_conv=filter+int8 dw=int8 pw=filter+int8 up=int8 fc1=filter+int8 proj=filter+int8 "
        + "head=filter+int8 seq_conv=none");
    assertEquals("skipped by quant_skip_layers", PlannerTest.op(p, "stem").quantization().reason());
    assertEquals("skipped by quant_skip_types (\"Conv1d\")", PlannerTest.op(p, "seq_conv").quantization().reason());
    assertEquals(Optional.of(4.0), setting(p, "pw", false, Int8Keys.CLIP_MAX.name()));
    assertEquals(Optional.empty(), setting(p, "rgb_conv", false, Int8Keys.CLIP_MAX.name()));
    assertEquals(Optional.of(false), setting(p, "fc1", false, Int8Keys.CHANNEL_WISE.name()));
    assertEquals(Optional.of(true), setting(p, "pw", false, Int8Keys.CHANNEL_WISE.name()));
    assertEquals(Optional.of(0.3), setting(p, "head", true, FilterPruneKeys.PRUNE_RATIO.name()));
  }

  @Test
  void s3WholeQuantizationPartialSparsity() {
    Plan p = scenario("s3-whole-quant-partial-sparsity");
    expect(p, "stem=2of4+int8 rgb_conv=int8 dw=int8 pw=2of4+int8 up=int8 fc1=2of4+int8 proj=2of4+int8 "
        + "head=int8 seq_conv=int8");
    assertEquals(Decision.SKIPPED, PlannerTest.op(p, "up").sparsity().decision());
    assertEquals(Decision.SKIPPED, PlannerTest.op(p, "head").sparsity().decision());
    assertEquals(Optional.of(8), setting(p, "proj", true, TwoOfFourKeys.UPDATE_FREQ.name()));
    assertEquals(Optional.of(0), setting(p, "fc1", true, TwoOfFourKeys.UPDATE_FREQ.name()));
    assertEquals(Optional.of("ulq_retrain"), setting(p, "stem", false, Int8Keys.WEIGHT_ALGO.name()));
  }

  @Test
  void s4PartialQuantizationPartialSparsity() {
    Plan p = scenario("s4-partial-quant-partial-sparsity");
    expect(p, "stem=filter+int8 rgb_conv=filter dw=int8 pw=filter+int8 up=int8 fc1=int8 proj=filter+int8 "
        + "head=none seq_conv=int8");
    assertEquals(Optional.of(0.5), setting(p, "stem", true, FilterPruneKeys.PRUNE_RATIO.name()));
    assertEquals(Optional.of(false), setting(p, "stem", true, FilterPruneKeys.ASCEND_OPTIMIZED.name()));
    assertEquals(Optional.of(0.4), setting(p, "proj", true, FilterPruneKeys.PRUNE_RATIO.name()));
    assertEquals(Optional.of(true), setting(p, "proj", true, FilterPruneKeys.ASCEND_OPTIMIZED.name()));
    assertEquals(Optional.of("ulq_retrain"), setting(p, "proj", false, Int8Keys.WEIGHT_ALGO.name()));
    assertEquals(Optional.of("arq_retrain"), setting(p, "fc1", false, Int8Keys.WEIGHT_ALGO.name()));
    OperatorPlan seq = PlannerTest.op(p, "seq_conv");
    assertEquals(Decision.INELIGIBLE, seq.sparsity().decision(), "Conv2d override does not select it; the global "
        + "ratio is requested and the method refuses the 1-D kernel");
    assertEquals(Optional.of(0.25), seq.sparsity().settings().number(FilterPruneKeys.PRUNE_RATIO.name()));
    assertEquals("skipped by skip_layers", PlannerTest.op(p, "head").sparsity().reason());
  }

  @Test
  void s5WholeQuantizationOnly() {
    Plan p = scenario("s5-whole-quant");
    expect(p, "stem=int8 rgb_conv=int8 dw=int8 pw=int8 up=int8 fc1=int8 proj=int8 head=int8 seq_conv=int8");
    assertTrue(p.operators().stream().filter(o -> !o.node().equals("gram"))
        .allMatch(o -> o.sparsity().decision() == Decision.OFF));
    assertEquals(Optional.of(-6.0), setting(p, "seq_conv", false, Int8Keys.CLIP_MIN.name()));
  }

  @Test
  void s6PartialQuantizationOnly() {
    Plan p = scenario("s6-partial-quant");
    expect(p, "stem=none rgb_conv=int8 dw=int8 pw=int8 up=none fc1=int8 proj=int8 head=int8 seq_conv=int8");
    assertEquals(Optional.of(2), setting(p, "pw", false, Int8Keys.BATCH_NUM.name()));
    assertEquals(Optional.of(true), setting(p, "head", false, Int8Keys.FIXED_MIN.name()));
    assertEquals(Optional.empty(), setting(p, "proj", false, Int8Keys.FIXED_MIN.name()));
    assertEquals(Optional.of(false), setting(p, "head", false, Int8Keys.CHANNEL_WISE.name()));
    assertEquals(Optional.of(true), setting(p, "seq_conv", false, Int8Keys.CHANNEL_WISE.name()));
  }

  @Test
  void s7WholeSparsityOnly() {
    Plan p = scenario("s7-whole-sparsity");
    expect(p, "stem=filter rgb_conv=filter dw=none pw=filter up=none fc1=filter proj=filter head=filter "
        + "seq_conv=none");
    assertEquals(Decision.INELIGIBLE, PlannerTest.op(p, "dw").sparsity().decision());
    assertEquals(Decision.OFF, PlannerTest.op(p, "dw").quantization().decision());
  }

  @Test
  void s8PartialSparsityOnly() {
    Plan p = scenario("s8-partial-sparsity");
    expect(p, "stem=none rgb_conv=none dw=none pw=2of4 up=2of4 fc1=2of4 proj=2of4 head=2of4 seq_conv=none");
    assertEquals(Optional.of(2), setting(p, "fc1", true, TwoOfFourKeys.UPDATE_FREQ.name()));
    assertEquals(Optional.of(2), setting(p, "proj", true, TwoOfFourKeys.UPDATE_FREQ.name()));
    assertEquals(Optional.of(16), setting(p, "head", true, TwoOfFourKeys.UPDATE_FREQ.name()));
    assertEquals(Optional.of(0), setting(p, "pw", true, TwoOfFourKeys.UPDATE_FREQ.name()));
    assertEquals(Decision.SKIPPED, PlannerTest.op(p, "stem").sparsity().decision());
  }
}
