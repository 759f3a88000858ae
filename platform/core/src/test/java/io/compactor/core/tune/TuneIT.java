package io.compactor.core.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.compactor.api.Capabilities;
import io.compactor.api.Int8Keys;
import io.compactor.core.chain.ChainExecutor;
import io.compactor.core.chain.ChainSettings;
import io.compactor.core.chain.JobProviders;
import io.compactor.core.cli.Cli;
import io.compactor.core.config.ConfigFile;
import io.compactor.core.host.HostSettings;
import io.compactor.core.host.OsgiHost;
import io.compactor.core.job.Cancellation;
import io.compactor.core.job.EventType;
import io.compactor.core.job.JobEvent;
import io.compactor.core.job.JobMessages;
import io.compactor.core.job.Schemas;
import io.compactor.core.metrics.StepMetrics;
import io.compactor.core.plan.Plan;
import io.compactor.core.plan.PlanJson;
import io.compactor.core.plan.Planner;
import io.compactor.onnx.fixtures.TestModels;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.npy.Npy;
import io.compactor.onnx.runtime.Evaluation;
import io.compactor.onnx.runtime.ModelSession;
import io.compactor.onnx.tensor.Tensor;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tune} on a real OSGi host with the three real bundle jars and real ONNX Runtime, on a residual CNN built
 * in code whose labels are its own FP32 predictions (so the original scores 100 %).
 */
@Tag("integration")
class TuneIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> JARS = List.of("bundle-prune-2of4.jar", "bundle-prune-filter.jar",
      "bundle-quant-int8.jar");

  @TempDir Path dir;
  private Path bundles;
  private OsgiHost host;
  private JobProviders catalog;
  private ChainExecutor chain;
  private Tuner tuner;
  private Path model;

  @BeforeEach
  void hostModelAndData() throws Exception {
    bundles = Files.createDirectories(dir.resolve("bundles"));
    for (String jar : JARS) {
      Files.copy(Path.of(System.getProperty("compactor.it.bundles")).resolve(jar), bundles.resolve(jar));
    }
    host = OsgiHost.start(HostSettings.of(bundles));
    host.awaitSettled(Duration.ofSeconds(20));
    catalog = new JobProviders(host.registry(), Duration.ofSeconds(5));
    chain = new ChainExecutor(host.registry(),
        new ChainSettings(16, Duration.ofSeconds(5), dir.resolve("work")), new StepMetrics(new SimpleMeterRegistry()));
    tuner = new Tuner(chain, catalog, dir.resolve("work"), 16);
    OnnxModel m = TestModels.residualCnn(7, false);
    model = dir.resolve("model.onnx");
    m.save(model);
    data("calib", "image", TestModels.images(11, 64));
    Tensor eval = TestModels.images(12, 96);
    data("eval", "image", eval);
    Tensor logits;
    try (ModelSession s = ModelSession.open(m)) {
      logits = s.run(Map.of("image", eval)).get("logits");
    }
    Npy.write(data("labelled", "image", eval).resolve("labels.npy"), TestModels.labelsOf(logits));
  }

  /** @return directory {@code name} under the test's directory, holding {@code values} as {@code input.npy} */
  private Path data(String name, String input, Tensor values) throws IOException {
    Path d = Files.createDirectories(dir.resolve(name));
    Npy.write(d.resolve(input + ".npy"), values);
    return d;
  }

  @AfterEach
  void stop() {
    catalog.close();
    host.close();
  }

  private TuneRequest request(String eval, Budget budget, String out) {
    return new TuneRequest(model, dir.resolve("calib"), dir.resolve(eval), Optional.empty(), Optional.empty(), budget,
        Objective.SIZE, Optional.empty(), dir.resolve(out));
  }

  @Test
  void aMetBudgetWritesAVerifiedConfigurationThatPlanAndCompressAccept() throws Exception {
    List<String> phases = Collections.synchronizedList(new ArrayList<>());
    Budget budget = new Budget(Budget.Kind.MAX_DROP, 5.0);
    TuneResult r = tuner.tune(request("labelled", budget, "out"), (p, d, t, x) -> phases.add(p), new Cancellation());

    assertTrue(r.met(), r.answer());
    assertTrue(r.result().index() > 0 && !r.result().candidate().empty(), r.answer());
    assertTrue(r.result().quality().dropPoints().orElseThrow() <= budget.value(), r.answer());
    assertEquals(budget.value() - r.result().quality().dropPoints().get(), r.margin(), 1e-9);
    Path out = dir.resolve("out");
    for (String f : List.of("tuned.cfg", "tuned.json", "model.deploy.onnx", "model.fakequant.onnx", "report.json",
        "tune-report.json", "tune-report.md", "sensitivity.svg", "tradeoff.svg")) {
      assertTrue(Files.size(out.resolve(f)) > 0, f);
    }
    assertTrue(phases.contains("sensitivity") && phases.contains("verify"), phases.toString());
    // the written configuration plans without problems on the installed providers, in both forms
    for (String f : List.of("tuned.cfg", "tuned.json")) {
      ConfigFile file = ConfigFile.read(out.resolve(f));
      assertEquals(List.of(), file.problems(), f);
      Plan plan = new Planner(catalog).plan(OnnxModel.load(model), file);
      assertEquals(r.result().candidate().quantized() + r.result().candidate().sparse() > 0, plan.compressedCount() > 0);
    }
    // the deploy file is the verified one and runs
    JsonNode report = JSON.readTree(out.resolve("tune-report.json").toFile());
    assertEquals("met", report.get("status").asText());
    // 64 calibration images are 4 batches of 16: batch_num follows them, so no INT8 candidate fails on it
    for (JsonNode v : report.get("verified")) {
      assertFalse(v.has("failure"), v.toString());
    }
    assertEquals(Files.size(out.resolve("model.deploy.onnx")), report.get("result").get("deployBytes").asLong());
    // the drop's sampling noise: all 96 eval samples counted, and at least as many changed top-1 as the drop lost
    JsonNode result = report.get("result");
    assertEquals(96, result.get("evalSamples").asInt(), result.toString());
    int changed = result.get("changedTop1").asInt();
    double drop = result.get("dropPoints").asDouble();
    assertTrue(changed >= Math.abs(drop) * 96 / 100 - 1e-6, result.toString());
    double mean = drop / 100;
    assertEquals(100 * Math.sqrt((changed / 96.0 - mean * mean) / 96), result.get("dropStandardError").asDouble(),
        1e-9);
    assertEquals(r.margin() * 96 / 100, report.get("budget").get("marginSamples").asDouble(), 1e-9);
    String markdown = Files.readString(out.resolve("tune-report.md"));
    assertTrue(markdown.contains(String.format(java.util.Locale.ROOT, "over 96 samples, %d of them with another top-1",
        changed)), markdown);
    assertEquals(r.margin() < 2 * result.get("dropStandardError").asDouble(),
        markdown.contains("Within the eval data's noise"), markdown);
    assertTrue(report.get("sensitivity").size() > 0);
    double previous = Double.MAX_VALUE;
    for (JsonNode e : report.get("sensitivity")) {
      assertTrue(e.get("cost").asDouble() <= previous, "sorted by cost, costliest first");
      previous = e.get("cost").asDouble();
    }
    try (ModelSession s = ModelSession.open(OnnxModel.load(out.resolve("model.deploy.onnx")))) {
      assertEquals(2, s.run(Map.of("image", TestModels.images(1, 2))).get("logits").rank());
    }
    String svg = Files.readString(out.resolve("tradeoff.svg"));
    assertTrue(svg.startsWith("<svg") && svg.contains("r=\"10\""), "the chosen candidate is ringed");
    assertTrue(Files.readString(out.resolve("tune-report.md")).contains("## Sensitivity (costliest first)"));
  }

  @Test
  void anImpossibleBudgetEndsWithTheClosestCandidateAndExitCodeThree() throws Exception {
    Cli.Run run = Cli.run("tune", "--bundles", bundles.toString(), "--model", model.toString(), "--calibration",
        dir.resolve("calib").toString(), "--eval", dir.resolve("eval").toString(), "--min-fidelity", "1.0",
        "--capabilities", "quant.int8,sparsity.filter", "--filter-ratios", "0.5", "--output",
        dir.resolve("closest").toString());

    assertEquals(3, run.code(), run.out() + run.err());
    assertTrue(run.out().contains("NOT MET: no compressed candidate meets mean cosine ≥ 1.0000"), run.out());
    JsonNode report = JSON.readTree(dir.resolve("closest/tune-report.json").toFile());
    assertEquals("not-met", report.get("status").asText());
    assertTrue(report.get("budget").get("margin").asDouble() < 0);
    assertTrue(report.get("result").get("index").asInt() > 0, "a candidate, not the original");
    assertTrue(Files.readString(dir.resolve("closest/tuned.cfg")).contains("DOES NOT MEET THE BUDGET"));
    assertTrue(Files.exists(dir.resolve("closest/model.deploy.onnx")));
  }

  @Test
  void anActivationWhoseOutlierRuinsStaticInt8IsKeptFloatAndTheWrittenConfigurationNamesIt() throws Exception {
    OnnxModel original = OutlierModel.build(3);
    Path m = dir.resolve("outlier.onnx");
    original.save(m);
    Path calib = data("o-calib", "x", OutlierModel.inputs(11, 256));
    Tensor eval = OutlierModel.inputs(12, 96);
    Path evalDir = data("o-eval", "x", eval);
    SearchSpace int8 = SearchSpace.of(Set.of(Capabilities.QUANT_INT8), List.of(),
        EnumSet.of(Choice.Quant.STATIC, Choice.Quant.DYNAMIC));
    Budget budget = new Budget(Budget.Kind.MIN_FIDELITY, 0.99);
    Path out = dir.resolve("fallback");

    TuneResult r = tuner.tune(new TuneRequest(m, calib, evalDir, Optional.empty(),
        Optional.empty(), budget, Objective.SIZE, Optional.of(int8), out), TuneListener.NONE, new Cancellation());

    assertTrue(r.met(), r.answer());
    Candidate chosen = r.result().candidate();
    assertEquals(List.of(OutlierModel.RESIDUAL), chosen.floatActivations(), r.answer());
    assertEquals(3, chosen.quantized(), "every weight keeps INT8: the tensor falls back, no operator does");
    JsonNode report = JSON.readTree(out.resolve("tune-report.json").toFile());
    boolean allStaticMissed = false;
    for (JsonNode v : report.get("verified")) {
      allStaticMissed |= v.get("candidate").asText().equals("3 × int8 static") && v.get("floatActivations").isEmpty()
          && v.get("meanCosine").asDouble() < budget.value();
    }
    assertTrue(allStaticMissed, "static INT8 without fallback was verified and missed: " + report.get("verified"));
    JsonNode fallback = report.get("floatFallback");
    assertEquals(OutlierModel.RESIDUAL, fallback.get("chosen").get(0).asText());
    assertEquals(OutlierModel.RESIDUAL, fallback.get("candidates").get(0).get("tensor").asText(), "costliest first");
    assertEquals("residual Add", fallback.get("candidates").get(0).get("role").asText());
    assertTrue(fallback.get("candidates").get(0).get("float").asBoolean());
    assertEquals(List.of(OutlierModel.RESIDUAL), JSON.convertValue(report.get("result").get("floatActivations"),
        List.class));
    assertTrue(Files.readString(out.resolve("tune-report.md")).contains("## Float fallback"));
    assertTrue(Files.readString(out.resolve("sensitivity.svg")).contains("kept float"));

    // the written configuration is accepted unchanged: by the reader, the planner and 'compactor plan'
    Path cfg = out.resolve("tuned.cfg");
    assertTrue(Files.readString(cfg).contains("compactor_float_activations: \"residual\""), Files.readString(cfg));
    for (String f : List.of("tuned.cfg", "tuned.json")) {
      ConfigFile file = ConfigFile.read(out.resolve(f));
      assertEquals(List.of(), file.problems(), f);
      Plan plan = new Planner(catalog).plan(OnnxModel.load(m), file);
      assertEquals(List.of(OutlierModel.RESIDUAL), plan.floatActivations(), f);
      assertEquals(3, plan.compressedCount(), f);
    }
    Cli.Run planned = Cli.run("plan", "--bundles", bundles.toString(), "--model", m.toString(), "--config",
        cfg.toString());
    assertEquals(0, planned.code(), planned.out() + planned.err());
    assertTrue(planned.out().contains(OutlierModel.RESIDUAL), planned.out());

    // the deploy file is the verified one: it keeps the output within the budget
    Tensor reference;
    Tensor deployed;
    try (ModelSession s = ModelSession.open(original)) {
      reference = s.run(Map.of("x", eval)).get("logits");
    }
    try (ModelSession s = ModelSession.open(OnnxModel.load(out.resolve("model.deploy.onnx")))) {
      deployed = s.run(Map.of("x", eval)).get("logits");
    }
    assertTrue(Evaluation.fidelity(reference, deployed).meanCosine() >= budget.value());
  }

  @Test
  void underTheSizeObjectiveTheEmbeddingTableTakesInt8AndTheWrittenConfigurationPlansUnchanged() throws Exception {
    OnnxModel original = TableModel.build(3);
    Path m = dir.resolve("embedder.onnx");
    original.save(m);
    Path calib = data("t-calib", "ids", TableModel.ids(11, 256));  // batch_num 16 batches of 16
    Tensor eval = TableModel.ids(12, 96);
    Path evalDir = data("t-eval", "ids", eval);
    SearchSpace int8 = SearchSpace.of(Set.of(Capabilities.QUANT_INT8), List.of(),
        EnumSet.of(Choice.Quant.STATIC, Choice.Quant.DYNAMIC));
    Budget budget = new Budget(Budget.Kind.MIN_FIDELITY, 0.99);
    Path out = dir.resolve("tables");

    TuneResult r = tuner.tune(new TuneRequest(m, calib, evalDir, Optional.empty(),
        Optional.empty(), budget, Objective.SIZE, Optional.of(int8), out), TuneListener.NONE, new Cancellation());

    assertTrue(r.met(), r.answer());
    Candidate chosen = r.result().candidate();
    assertTrue(chosen.choice(TableModel.TABLE).quant() != Choice.Quant.NONE, "the table is in INT8: " + chosen);
    JsonNode report = JSON.readTree(out.resolve("tune-report.json").toFile());
    // the table-less INT8 candidate was verified too and is the larger file
    long withoutTable = Long.MAX_VALUE;
    for (JsonNode v : report.get("verified")) {
      if (v.get("choices").has(TableModel.PROJECTION) && !v.get("choices").has(TableModel.TABLE)
          && !v.has("failure")) {
        withoutTable = Math.min(withoutTable, v.get("deployBytes").asLong());
      }
    }
    assertTrue(withoutTable < Long.MAX_VALUE, "INT8 without the table was verified: " + report.get("verified"));
    long deployed = Files.size(out.resolve("model.deploy.onnx"));
    assertTrue(deployed < withoutTable / 2, deployed + " B with the table in INT8, " + withoutTable + " B without: "
        + report.get("verified"));
    boolean tableRow = false;
    for (JsonNode e : report.get("sensitivity")) {
      tableRow |= e.get("node").asText().equals(TableModel.TABLE) && e.get("opType").asText().equals("Gather");
    }
    assertTrue(tableRow, "the table has its sensitivity row: " + report.get("sensitivity"));
    assertTrue(Files.readString(out.resolve("sensitivity.svg")).contains(TableModel.TABLE));

    // the written configuration opts the table in with the existing vocabulary and plans unchanged
    Path cfg = out.resolve("tuned.cfg");
    assertTrue(Files.readString(cfg).contains("layer_type: \"Gather\""), Files.readString(cfg));
    for (String f : List.of("tuned.cfg", "tuned.json")) {
      ConfigFile file = ConfigFile.read(out.resolve(f));
      assertEquals(List.of(), file.problems(), f);
      Plan plan = new Planner(catalog).plan(OnnxModel.load(m), file);
      assertTrue(plan.operator(TableModel.TABLE).orElseThrow().quantization().applied(), f + ": " + plan);
      assertEquals(2, plan.compressedCount(), f);
    }
    Cli.Run planned = Cli.run("plan", "--bundles", bundles.toString(), "--model", m.toString(), "--config",
        cfg.toString());
    assertEquals(0, planned.code(), planned.out() + planned.err());

    // the deploy file is the verified one: within the budget on the eval data
    Tensor reference;
    Tensor compressed;
    try (ModelSession s = ModelSession.open(original)) {
      reference = s.run(Map.of("ids", eval)).get("y");
    }
    try (ModelSession s = ModelSession.open(OnnxModel.load(out.resolve("model.deploy.onnx")))) {
      compressed = s.run(Map.of("ids", eval)).get("y");
    }
    assertTrue(Evaluation.fidelity(reference, compressed).meanCosine() >= budget.value());
  }

  @Test
  void equalizationByAnExplicitMulIsDroppedWhenTheBudgetHoldsAndTheFileGetsSmaller() throws Exception {
    OnnxModel original = TableModel.build(5, 40);
    Path m = dir.resolve("outlier-embedder.onnx");
    original.save(m);
    Path calib = data("o-calib", "ids", TableModel.ids(13, 256));
    Path evalDir = data("o-eval", "ids", TableModel.ids(14, 96));
    SearchSpace int8 = SearchSpace.of(Set.of(Capabilities.QUANT_INT8), List.of(), EnumSet.of(Choice.Quant.STATIC));
    Budget budget = new Budget(Budget.Kind.MIN_FIDELITY, 0.95);
    Path out = dir.resolve("folded");

    TuneResult r = tuner.tune(new TuneRequest(m, calib, evalDir, Optional.empty(), Optional.empty(), budget,
        Objective.SIZE, Optional.of(int8), out), TuneListener.NONE, new Cancellation());

    assertTrue(r.met(), r.answer());
    JsonNode report = JSON.readTree(out.resolve("tune-report.json").toFile());
    JsonNode withMul = null;
    JsonNode folded = null;
    for (JsonNode v : report.get("verified")) {
      if (v.get("choices").has(TableModel.TABLE) && !v.has("failure")) {
        if (!v.get("foldedEqualization").isEmpty()) {
          folded = v;
        } else {
          withMul = v;
        }
      }
    }
    assertTrue(withMul != null && folded != null, "both equalizations verified: " + report.get("verified"));
    assertTrue(folded.get("deployBytes").asLong() < withMul.get("deployBytes").asLong(), report.get("verified")
        .toString());
    assertEquals(List.of(TableModel.PROJECTION), r.result().candidate().foldedEqualization(),
        "within 0.95 the smaller file wins: " + r.answer());
    assertTrue(OnnxModel.load(out.resolve("model.deploy.onnx")).graph().consumers("emb").stream()
        .noneMatch(n -> n.opType().equals("Mul")), "no Mul divides the table's rows");

    Path cfg = out.resolve("tuned.cfg");
    assertTrue(Files.readString(cfg).contains("compactor_equalization: FOLDED"), Files.readString(cfg));
    Plan plan = new Planner(catalog).plan(OnnxModel.load(m), ConfigFile.read(cfg));
    assertEquals(Optional.of("folded"), plan.operator(TableModel.PROJECTION).orElseThrow().quantization().settings()
        .string(Int8Keys.EQUALIZATION.name()));
  }

  /**
   * The latency measurement is the one thing replaced: a meter whose answers follow the model's structure, so the
   * search's decisions are known. Time = each Conv's or Gemm's weight elements (what filter pruning removes), at
   * half the cost in INT8 on conv2 and twice the cost in INT8 on any other: INT8 pays on conv2 only.
   */
  private static double cost(OnnxModel m) {
    double total = 0;
    for (io.compactor.onnx.graph.Node n : m.graph().nodes()) {
      if (!n.opType().equals("Conv") && !n.opType().equals("Gemm")) {
        continue;
      }
      Optional<io.compactor.onnx.graph.Node> dq = m.graph().producer(n.input(1))
          .filter(p -> p.opType().equals("DequantizeLinear"));
      String weight = dq.map(p -> p.input(0)).orElse(n.input(1));
      double elements = m.graph().initializer(weight).orElseThrow().size();
      total += elements * (dq.isEmpty() ? 1 : n.name().equals("conv2") ? 0.5 : 2);
    }
    return total;
  }

  /**
   * @return a base for the latency objective: the model's 8 channels kept aligned to 16 (the latency default) would
   *     leave nothing to prune, so the base keeps pruned counts as the ratio gives them
   */
  private Optional<Path> unalignedBase() throws IOException {
    return Optional.of(Files.writeString(dir.resolve("unaligned.cfg"), """
        prune_config { filter_pruner { balanced_l2_norm_filter_prune { prune_ratio: 0.25 ascend_optimized: false } } }
        """));
  }

  @Test
  void underTheLatencyObjectiveInt8GoesOnlyWhereItsIslandIsFasterAnd2of4IsNotSearched() throws Exception {
    Tuner timed = new Tuner(chain, catalog, dir.resolve("work"), 16,
        Optional.of((m, reference) -> cost(m) / cost(reference)));
    SearchSpace space = SearchSpace.of(Set.of(Capabilities.QUANT_INT8, Capabilities.SPARSITY_FILTER,
        Capabilities.SPARSITY_2OF4), List.of(0.25, 0.5), EnumSet.of(Choice.Quant.STATIC));
    Path out = dir.resolve("latency");

    TuneResult r = timed.tune(new TuneRequest(model, dir.resolve("calib"), dir.resolve("labelled"), unalignedBase(),
        Optional.empty(), new Budget(Budget.Kind.MAX_DROP, 5.0), Objective.LATENCY, Optional.of(space), out),
        TuneListener.NONE, new Cancellation());

    assertTrue(r.met(), r.answer());
    JsonNode report = JSON.readTree(out.resolve("tune-report.json").toFile());
    assertTrue(r.result().latencyMs() < report.get("baseline").get("latencyMs").asDouble(), r.answer());
    // INT8 was verified on conv2, the one operator whose island is faster, alone; never where the island is
    // slower; and 2:4 (dense kernels) not at all
    boolean conv2Alone = false;
    for (JsonNode v : report.get("verified")) {
      conv2Alone |= v.get("choices").size() == 1 && v.get("choices").path("conv2").asText().equals("int8 static");
      JsonNode choices = v.get("choices");
      for (String slower : List.of("conv1", "fc")) {
        assertFalse(choices.has(slower) && choices.get(slower).asText().contains("int8"), v.toString());
      }
      assertFalse(v.get("candidate").asText().contains("2:4"), v.toString());
    }
    assertTrue(conv2Alone, report.get("verified").toString());
    // the latency signal is in the report: every INT8 island, and the filter group timed through the bundle
    Map<String, Double> islands = new java.util.HashMap<>();
    boolean groupRun = false;
    for (JsonNode t : report.get("latency")) {
      if (t.get("source").asText().equals("int8-island")) {
        islands.put(t.get("nodes").get(0).asText(), t.get("ratio").asDouble());
      } else {
        groupRun |= t.get("ratio").asDouble() < 1 && t.has("meanCosine") && t.get("candidate").asText()
            .startsWith("filter");
      }
    }
    assertEquals(Set.of("conv1", "conv2", "fc"), islands.keySet(), report.get("latency").toString());
    assertTrue(islands.get("conv1") > 1 && islands.get("fc") > 1 && islands.get("conv2") < 1, islands.toString());
    assertTrue(groupRun, "pruning the residual group was timed alone: " + report.get("latency"));
    boolean sensitivityRow = false;
    for (JsonNode e : report.get("sensitivity")) {
      sensitivityRow |= e.get("node").asText().equals("conv2") && e.get("candidate").asText().equals("int8 static")
          && e.get("latencyRatio").asDouble() < 1;
    }
    assertTrue(sensitivityRow, "the sensitivity table carries the latency: " + report.get("sensitivity"));
    String md = Files.readString(out.resolve("tune-report.md"));
    assertTrue(md.contains("## Latency per operator and group") && md.contains("time vs original"), md);
    assertTrue(report.get("notes").toString().contains("2:4: not searched for --objective latency"),
        report.get("notes").toString());
  }

  @Test
  void underTheLatencyObjectiveALuckyFirstTimingDoesNotDecide() throws Exception {
    // every model's first timing reads twice as fast as it is, later ones true: the answer's latency must be true
    Map<Double, Integer> readings = new java.util.concurrent.ConcurrentHashMap<>();
    Tuner lucky = new Tuner(chain, catalog, dir.resolve("work"), 16, Optional.of((m, reference) -> {
      double ratio = cost(m) / cost(reference);
      return readings.merge(cost(m), 1, Integer::sum) == 1 ? ratio / 2 : ratio;
    }));
    SearchSpace space = SearchSpace.of(Set.of(Capabilities.QUANT_INT8, Capabilities.SPARSITY_FILTER), List.of(0.25,
        0.5), EnumSet.of(Choice.Quant.STATIC));
    Path out = dir.resolve("lucky");

    TuneResult r = lucky.tune(new TuneRequest(model, dir.resolve("calib"), dir.resolve("labelled"), unalignedBase(),
        Optional.empty(), new Budget(Budget.Kind.MAX_DROP, 5.0), Objective.LATENCY, Optional.of(space), out),
        TuneListener.NONE, new Cancellation());

    assertTrue(r.met(), r.answer());
    JsonNode report = JSON.readTree(out.resolve("tune-report.json").toFile());
    double baseline = report.get("baseline").get("latencyMs").asDouble();
    double trueRatio = cost(OnnxModel.load(out.resolve("model.deploy.onnx"))) / cost(OnnxModel.load(model));
    assertEquals(trueRatio, r.result().latencyMs() / baseline, 1e-9, r.answer());
    for (JsonNode v : report.get("verified")) {
      if (v.has("failure") || v.get("dropPoints").asDouble() > 5.0) {
        continue;
      }
      assertTrue(v.get("latencyMs").asDouble() >= r.result().latencyMs() - 1e-9, "the fastest is chosen: " + v);
    }
    JsonNode confirmed = report.get("result").get("confirmedLatency");
    assertEquals(trueRatio, confirmed.get("ratio").asDouble(), 1e-9, "the answer's figure is the confirmed one");
    assertTrue(confirmed.get("rounds").asInt() >= LatencyEstimate.MIN_ROUNDS, confirmed.toString());
    assertTrue(report.get("notes").toString().contains("timed in " + report.get("latencyConfirmation").get("rounds")
        .asInt() + " rounds in turns"), report.get("notes").toString());
  }

  /** @return a key for a model a meter has timed: its cost and its size, so an island and a candidate differ */
  private static String key(OnnxModel m) {
    return cost(m) + "/" + m.graph().nodes().size() + "/" + m.graph().initializerNames().size();
  }

  /**
   * The tune with a meter whose readings {@code reading} gives from each model's true ratio (its cost over the
   * original's) and the number of the reading (from 1, per model), its progress as a job's events.
   */
  private TuneResult latencyTune(String out, java.util.function.BiFunction<Double, Integer, Double> reading,
      List<JobEvent> events) throws IOException {
    Map<String, Integer> readings = new java.util.concurrent.ConcurrentHashMap<>();
    Tuner tuner = new Tuner(chain, catalog, dir.resolve("work"), 16, Optional.of((m, reference) ->
        reading.apply(cost(m) / cost(reference), readings.merge(key(m), 1, Integer::sum))));
    SearchSpace space = SearchSpace.of(Set.of(Capabilities.QUANT_INT8, Capabilities.SPARSITY_FILTER), List.of(0.25,
        0.5), EnumSet.of(Choice.Quant.STATIC));
    Path base = Files.writeString(dir.resolve("unaligned.cfg"), """
        prune_config { filter_pruner { balanced_l2_norm_filter_prune { prune_ratio: 0.25 ascend_optimized: false } } }
        """);
    Budget budget = new Budget(Budget.Kind.MAX_DROP, 5.0);
    return tuner.tune(new TuneRequest(model, dir.resolve("calib"), dir.resolve("labelled"), Optional.of(base),
        Optional.empty(), budget, Objective.LATENCY, Optional.of(space), dir.resolve(out)),
        new TuneProgress("tune-1", budget, Objective.LATENCY, events::add), new Cancellation());
  }

  @Test
  void underTheLatencyObjectiveReadingsThatPickTheWrongCandidateAreOutvotedByFurtherRounds() throws Exception {
    // gains of a few percent, as on a real CNN: a model reads ×(0.9 + 0.1 × its cost ratio), so every candidate
    // is within reach of the best; then a burst of load while the answer is confirmed: the second and third reading
    // of every model invert its gain (×0.95 reads ×1.05), so the median of three readings, what the tune decided
    // by before, ranks the candidates the wrong way round; the rounds after the burst are true
    List<JobEvent> events = new ArrayList<>();
    TuneResult r = latencyTune("burst", (ratio, n) -> n == 2 || n == 3 ? 2 - (0.9 + 0.1 * ratio) : 0.9 + 0.1 * ratio,
        events);

    assertTrue(r.met(), r.answer());
    JsonNode report = JSON.readTree(dir.resolve("burst").resolve("tune-report.json").toFile());
    JsonNode race = report.get("latencyConfirmation");
    List<Double> trueRatios = new ArrayList<>();
    for (JsonNode c : race.get("contenders")) {
      trueRatios.add(c.get("firstRatio").asDouble()); // first readings are true here
      assertEquals(c.get("firstRatio").asDouble(), c.get("ratio").asDouble(), 1e-9, "confirmed = true: " + c);
    }
    // contenders that differ: the burst's median of three would have chosen the slowest of them
    assertTrue(trueRatios.stream().distinct().count() >= 2, "a choice to make: " + race);
    double trueRatio = cost(OnnxModel.load(dir.resolve("burst").resolve("model.deploy.onnx"))) / cost(OnnxModel.load(
        model));
    assertEquals(Collections.min(trueRatios), 0.9 + 0.1 * trueRatio, 1e-9, "the truly fastest contender is chosen: "
        + race);
    assertEquals(race.get("leader").asInt(), r.result().index());
    assertEquals("faster", race.get("stop").asText(), race.toString());
    assertTrue(race.get("separated").asBoolean(), race.toString());
    assertEquals("resolved", report.get("result").get("confirmedLatency").get("fasterThanOriginal").asText());
    assertTrue(r.answer().contains("faster than the original, ×"), r.answer());
    assertTrue(Files.readString(dir.resolve("burst").resolve("tradeoff.svg")).contains("confirmed ×"),
        "the chart shows the confirmed figures");
  }

  @Test
  void underTheLatencyObjectiveAnAnswerNotResolvedWithinTheCapIsReportedAsSuch() throws Exception {
    // every second reading of every model reads ×1.1 whatever its gain: no interval of a median ever lies below 1
    List<JobEvent> events = new ArrayList<>();
    TuneResult r = latencyTune("unresolved", (ratio, n) -> n % 2 == 0 ? 1.1 : ratio, events);

    assertTrue(r.met(), r.answer());
    Path out = dir.resolve("unresolved");
    JsonNode report = JSON.readTree(out.resolve("tune-report.json").toFile());
    JsonNode race = report.get("latencyConfirmation");
    assertEquals("round-cap", race.get("stop").asText(), race.toString());
    assertEquals(LatencyRace.MAX_ROUNDS, race.get("rounds").asInt());
    assertEquals("not-resolved", race.get("fasterThanOriginal").asText());
    JsonNode confirmed = report.get("result").get("confirmedLatency");
    assertEquals("not-resolved", confirmed.get("fasterThanOriginal").asText(), confirmed.toString());
    assertTrue(confirmed.get("high").asDouble() >= 1, confirmed.toString());
    assertEquals(report.get("baseline").get("latencyMs").asDouble() * confirmed.get("ratio").asDouble(),
        report.get("result").get("latencyMs").asDouble(), 1e-9, "the result's latency is the confirmed median");
    String md = Files.readString(out.resolve("tune-report.md"));
    assertTrue(md.contains("**Not resolved faster than the original:**") && md.contains("## Latency confirmed in "
        + "rounds"), md);
    assertTrue(r.answer().contains("not resolved faster than the original"), r.answer());
    assertTrue(report.get("notes").toString().contains("not resolved faster than the original"),
        report.get("notes").toString());
    // the job's events carry the confirmed figure, not the first reading, and keep to their schema
    JobEvent last = events.get(events.size() - 1);
    assertEquals("confirm", last.data().get("phase"), last.data().toString());
    @SuppressWarnings("unchecked")
    Map<String, Object> best = (Map<String, Object>) last.data().get("best");
    assertEquals(r.result().index(), best.get("index"));
    assertEquals(r.result().latencyMs(), (Double) best.get("latencyMs"), 1e-9);
    assertTrue(best.containsKey("confirmedLatency"), best.toString());
    for (JobEvent e : events) {
      assertEquals(List.of(), Schemas.validate(Schemas.eventSchema(EventType.TUNE_PROGRESS),
          JobMessages.tree(e.data())), e.data().toString());
    }
    // the completed event's candidate is the result with its confirmed figure
    Map<String, Object> completed = TuneProgress.candidate(r.result(), new Budget(Budget.Kind.MAX_DROP, 5.0),
        Objective.LATENCY);
    assertEquals(confirmed.get("ratio").asDouble(), (Double) ((Map<?, ?>) completed.get("confirmedLatency"))
        .get("ratio"), 1e-12, completed.toString());
  }

  @Test
  void theBasesPerLayerAndPerTypeSettingsAreWhatTheVerifiedRunAndTheWrittenFileGiveEachLayer() throws Exception {
    Path base = Files.writeString(dir.resolve("per-layer.cfg"), """
        retrain_data_quant_config { ulq_quantize { } }
        override_layer_types { layer_type: "Gemm" retrain_data_quant_config { ulq_quantize { fixed_min: true } } }
        override_layer_configs { layer_name: "conv2"
          retrain_data_quant_config { ulq_quantize { compactor_equalization: NONE } }
          retrain_weight_quant_config { arq_retrain { channel_wise: false } } }
        """);
    SearchSpace space = SearchSpace.of(Set.of(Capabilities.QUANT_INT8), List.of(0.5), EnumSet.of(Choice.Quant.STATIC));
    Path out = dir.resolve("per-layer");

    TuneResult r = tuner.tune(new TuneRequest(model, dir.resolve("calib"), dir.resolve("labelled"), Optional.of(base),
        Optional.empty(), new Budget(Budget.Kind.MAX_DROP, 5.0), Objective.SIZE, Optional.of(space), out),
        TuneListener.NONE, new Cancellation());

    assertTrue(r.met(), r.answer());
    Candidate chosen = r.result().candidate();
    assertEquals(Choice.Quant.STATIC, chosen.choice("conv2").quant(), r.answer());
    assertEquals(Choice.Quant.STATIC, chosen.choice("fc").quant(), r.answer());
    // the written file, read as 'plan' reads it, and the verified run's own plan give each layer the base's settings
    List<JsonNode> plans = new ArrayList<>();
    for (String f : List.of("tuned.cfg", "tuned.json")) {
      ConfigFile file = ConfigFile.read(out.resolve(f));
      assertEquals(List.of(), file.problems(), f);
      plans.add(JSON.valueToTree(PlanJson.tree(new Planner(catalog).plan(OnnxModel.load(model), file))));
    }
    plans.add(JSON.readTree(out.resolve("report.json").toFile()).get("plan"));
    for (JsonNode plan : plans) {
      Map<String, JsonNode> int8 = new HashMap<>();
      plan.get("operators").forEach(o -> int8.put(o.get("node").asText(), o.get("quantization")));
      JsonNode conv2 = int8.get("conv2").get("settings");
      assertFalse(conv2.get(Int8Keys.CHANNEL_WISE.name()).asBoolean(), "conv2's own weights: " + plan);
      assertEquals("none", conv2.get(Int8Keys.EQUALIZATION.name()).asText(), plan.toString());
      assertTrue(int8.get("fc").get("settings").get(Int8Keys.FIXED_MIN.name()).asBoolean(), "the Gemm type: " + plan);
      if (chosen.choice("conv1").quant() != Choice.Quant.NONE) {
        assertTrue(int8.get("conv1").get("settings").get(Int8Keys.CHANNEL_WISE.name()).asBoolean(), "the default");
      }
    }
  }

  @Test
  void aTopOneBudgetWithoutLabelsIsRefusedNamingTheOption() {
    TuneInputException e = assertThrows(TuneInputException.class, () -> tuner.tune(
        request("eval", new Budget(Budget.Kind.MAX_DROP, 1), "x"), TuneListener.NONE, new Cancellation()));
    assertEquals("--max-drop", e.option());
    assertTrue(e.getMessage().contains("labels.npy"), e.getMessage());
    assertFalse(Files.exists(dir.resolve("x")));
  }

  @Test
  void aBaseConfigurationAskingForMoreCalibrationBatchesThanThereAreIsRefusedNamingIt() throws Exception {
    Path base = Files.writeString(dir.resolve("base.cfg"), """
        batch_num: 20
        retrain_data_quant_config { ulq_quantize { dst_type: INT8 } }
        retrain_weight_quant_config { arq_retrain { dst_type: INT8 } }
        """);
    TuneInputException e = assertThrows(TuneInputException.class, () -> tuner.tune(new TuneRequest(model,
        dir.resolve("calib"), dir.resolve("eval"), Optional.of(base), Optional.empty(),
        new Budget(Budget.Kind.MIN_FIDELITY, 0.9), Objective.SIZE, Optional.empty(), dir.resolve("y")),
        TuneListener.NONE, new Cancellation()));
    assertEquals("--config", e.option());
    assertTrue(e.getMessage().contains("batch_num is 20 but the calibration data holds only 4 batch(es)"),
        e.getMessage());
  }
}
