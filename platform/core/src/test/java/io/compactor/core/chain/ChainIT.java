package io.compactor.core.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.compactor.core.artifact.ArtifactStores;
import io.compactor.core.artifact.S3Server;
import io.compactor.core.artifact.S3Settings;
import io.compactor.core.artifact.StagedExecutor;
import io.compactor.core.host.HostSettings;
import io.compactor.core.host.OsgiHost;
import io.compactor.core.host.TestBundles;
import io.compactor.core.job.AttemptOutputs;
import io.compactor.core.job.Cancellation;
import io.compactor.core.job.EventType;
import io.compactor.core.job.JobEvent;
import io.compactor.core.job.JobExecutor;
import io.compactor.core.job.JobMessages;
import io.compactor.core.job.JobRequest;
import io.compactor.core.job.Schemas;
import io.compactor.core.metrics.StepMetrics;
import io.compactor.core.output.OutputFiles;
import io.compactor.onnx.fixtures.TestModels;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.npy.Npy;
import io.compactor.onnx.runtime.ModelSession;
import io.compactor.retrain.NmPattern;
import io.compactor.retrain.NmPatternCheck;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chain on a real OSGi host with the real 2:4 and filter-pruning bundle jars (the INT8 jar dropped in where a test
 * needs it), on a model built in code with calibration data
 * written as {@code .npy}: the events in order and valid against their schemas, the three outputs, and every
 * failure as a {@code failed} event that says where.
 */
@Tag("integration")
class ChainIT {
  private static final String TWO_OF_FOUR = """
      batch_num: 1
      prune_config { n_out_of_m_pruner { l1_selective_prune { n_out_of_m_type: M4N2 update_freq: 0 } } }
      """;
  private static final String TWO_OF_FOUR_INT8 = TWO_OF_FOUR + """
      retrain_data_quant_config { ulq_quantize { dst_type: INT8 } }
      retrain_weight_quant_config { arq_retrain { dst_type: INT8 } }
      """;

  @TempDir Path dir;
  private Path bundles;
  private OsgiHost host;
  private final List<JobEvent> events = Collections.synchronizedList(new ArrayList<>());
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  @BeforeEach
  void startHostWithTheSparsityBundles() throws Exception {
    bundles = Files.createDirectories(dir.resolve("bundles"));
    for (String jar : List.of("bundle-prune-2of4.jar", "bundle-prune-filter.jar")) {
      Files.copy(Path.of(System.getProperty("compactor.it.bundles")).resolve(jar), bundles.resolve(jar));
    }
    host = OsgiHost.start(HostSettings.of(bundles));
    host.awaitSettled(Duration.ofSeconds(20));
    TestModels.residualCnn(7, true).save(dir.resolve("model.onnx"));
    Files.createDirectories(dir.resolve("calib"));
    Npy.write(dir.resolve("calib/image.npy"), TestModels.images(11, 64));
    Files.createDirectories(dir.resolve("eval"));
    Npy.write(dir.resolve("eval/image.npy"), TestModels.images(12, 32));
  }

  @AfterEach
  void stopHost() {
    host.close();
  }

  private JobEvent run(String id, String config, Optional<String> calibration, Cancellation cancellation)
      throws Exception {
    Files.writeString(dir.resolve(id + ".cfg"), config);
    JobRequest request = new JobRequest(id, dir.resolve("model.onnx").toString(), dir.resolve(id + ".cfg").toString(),
        calibration, Optional.of(dir.resolve("eval").toString()), dir.resolve("out-" + id).toString());
    ChainExecutor chain = new ChainExecutor(host.registry(),
        new ChainSettings(16, Duration.ofMillis(200), dir.resolve("work")), new StepMetrics(meters));
    JobEvent end = chain.execute(request, events::add, cancellation);
    events.add(end);
    for (JobEvent e : events) {
      assertEquals(List.of(), Schemas.validate(Schemas.eventSchema(e.type()), JobMessages.tree(withId(e))),
          e.type().id() + " " + e.data());
    }
    return end;
  }

  private JobEvent run(String id, String config) throws Exception {
    return run(id, config, Optional.of(dir.resolve("calib").toString()), new Cancellation());
  }

  private static Map<String, Object> withId(JobEvent e) {
    Map<String, Object> m = new java.util.LinkedHashMap<>(e.data());
    m.put("jobId", e.jobId());
    return m;
  }

  @Test
  void aTwoOfFourJobWritesTheOutputsAndReportsEveryStep() throws Exception {
    JobEvent end = run("j1", TWO_OF_FOUR);

    assertEquals(EventType.COMPLETED, end.type(), end.data().toString());
    assertEquals(List.of(EventType.PLANNED, EventType.STEP_STARTED), events.subList(0, 2).stream().map(JobEvent::type).toList());
    assertTrue(events.stream().anyMatch(e -> e.type() == EventType.STEP_PROGRESS), events.toString());
    JobEvent stepDone = events.stream().filter(e -> e.type() == EventType.STEP_COMPLETED).findFirst().orElseThrow();
    assertEquals("io.compactor.bundle.prune2of4", ((Map<?, ?>) stepDone.data().get("provider")).get("bundle"));

    Path out = dir.resolve("out-j1");
    OnnxModel deploy = OnnxModel.load(out.resolve(OutputFiles.DEPLOY_MODEL));
    // conv1 has one input channel and cannot take 2:4; conv2 and fc can, and must hold it exactly
    NmPatternCheck.require(deploy, List.of("conv2", "fc"), NmPattern.M4N2);
    try (ModelSession s = ModelSession.open(deploy)) {
      assertEquals(List.of("logits"), s.outputNames());
    }
    JsonNode report = new ObjectMapper().readTree(out.resolve(OutputFiles.REPORT).toFile());
    assertEquals("sparsity.2of4", report.at("/steps/0/capability").asText());
    assertEquals(2, report.at("/steps/0/layers").size(), report.toPrettyString());
    assertEquals("2of4", report.at("/plan/operators/1/combination").asText(), report.at("/plan").toPrettyString());
    assertTrue(report.at("/quality/meanCosine").asDouble() > 0.5, report.at("/quality").toPrettyString());
    assertTrue(report.at("/sizes/deployBytes").asLong() > 0);
    Map<?, ?> summary = (Map<?, ?>) end.data().get("summary");
    assertEquals(report.at("/summary/meanCosine").asDouble(), ((Number) summary.get("meanCosine")).doubleValue());
    assertEquals(1, meters.get(StepMetrics.DURATION).tag("outcome", "completed").timer().count());
  }

  @Test
  void twoOfFourThenInt8ChainsBothBundlesAndTheDeployModelKeepsThePattern() throws Exception {
    Files.copy(Path.of(System.getProperty("compactor.it.bundles")).resolve("bundle-quant-int8.jar"),
        bundles.resolve("bundle-quant-int8.jar"));
    host.awaitSettled(Duration.ofSeconds(20));
    waitForProvider("quant.int8");

    JobEvent end = run("j24q", TWO_OF_FOUR_INT8);

    assertEquals(EventType.COMPLETED, end.type(), end.data().toString());
    List<String> steps = events.stream().filter(e -> e.type() == EventType.STEP_COMPLETED)
        .map(e -> String.valueOf(((Map<?, ?>) e.data().get("provider")).get("bundle"))).toList();
    assertEquals(List.of("io.compactor.bundle.prune2of4", "io.compactor.bundle.quantint8"), steps, "sparsity, then INT8");
    Path out = dir.resolve("out-j24q");
    OnnxModel deploy = OnnxModel.load(out.resolve(OutputFiles.DEPLOY_MODEL));
    assertTrue(deploy.graph().nodes().stream().anyMatch(n -> n.opType().equals("DequantizeLinear")),
        "the deploy model is QDQ");
    // the INT8 weights behind DequantizeLinear still hold the 2:4 zeros the sparsity step made
    NmPatternCheck.require(deploy, List.of("conv2", "fc"), NmPattern.M4N2);
    assertTrue(Files.size(out.resolve(OutputFiles.DEPLOY_MODEL)) < Files.size(dir.resolve("model.onnx")));
    try (ModelSession s = ModelSession.open(deploy)) {
      assertEquals(List.of("logits"), s.outputNames());
    }
    JsonNode report = new ObjectMapper().readTree(out.resolve(OutputFiles.REPORT).toFile());
    assertEquals("2of4+int8", report.at("/plan/operators/1/combination").asText(), report.at("/plan").toPrettyString());
    assertTrue(report.at("/quality/meanCosine").asDouble() > 0.5, report.at("/quality").toPrettyString());
  }

  @Test
  void aFilterPruningJobRemovesChannelsPhysically() throws Exception {
    JobEvent end = run("jf", """
        prune_config { filter_pruner { balanced_l2_norm_filter_prune { prune_ratio: 0.25 ascend_optimized: false } } }
        """);

    assertEquals(EventType.COMPLETED, end.type(), end.data().toString());
    OnnxModel deploy = OnnxModel.load(dir.resolve("out-jf").resolve(OutputFiles.DEPLOY_MODEL));
    long filters = deploy.graph().initializer("conv1.w").orElseThrow().shape()[0];
    assertTrue(filters < 8, "conv1 keeps " + filters + " of 8 filters: "
        + Files.readString(dir.resolve("out-jf").resolve(OutputFiles.REPORT)));
    Map<?, ?> summary = (Map<?, ?>) end.data().get("summary");
    assertTrue(((Number) summary.get("deployBytes")).longValue() < ((Number) summary.get("originalBytes")).longValue(),
        summary.toString());
  }

  @Test
  void aCapabilityWithoutProviderFailsThePlanAndNamesIt() throws Exception {
    JobEvent end = run("j2", TWO_OF_FOUR_INT8);

    assertEquals(EventType.FAILED, end.type());
    assertEquals("plan", end.data().get("stage"));
    assertEquals("quant.int8", end.data().get("capability"));
    assertTrue(String.valueOf(end.data().get("reason")).contains("install a bundle"), end.data().toString());
    assertFalse(Files.exists(dir.resolve("out-j2")), "nothing is written for a job that never started");
  }

  @Test
  void aBundleThatThrowsFailsTheJobWithTheCapabilityAndTheHostKeepsRunning() throws Exception {
    Path jar = TestBundles.build(Files.createDirectories(dir.resolve("build")), "test.throwing", "1.0.0", "throwing",
        Map.of());
    Files.copy(jar, bundles.resolve("throwing.jar"));
    host.awaitSettled(Duration.ofSeconds(20));
    waitForProvider("quant.int8");

    JobEvent end = run("j3", TWO_OF_FOUR_INT8);

    assertEquals(EventType.FAILED, end.type());
    assertEquals("step", end.data().get("stage"));
    assertEquals("quant.int8", end.data().get("capability"));
    assertTrue(String.valueOf(end.data().get("reason")).contains("test.throwing 1.0.0 failed: "
        + "java.lang.IllegalStateException: scale table overflow"), end.data().toString());
    assertEquals(1, meters.get(StepMetrics.DURATION).tag("capability", "quant.int8").tag("outcome", "failed").timer().count());
    assertEquals(0, host.registry().openLeases(), "the job's leases are released");
    events.clear();
    assertEquals(EventType.COMPLETED, run("j3b", TWO_OF_FOUR).type(), "the next job runs");
  }

  @Test
  void configurationErrorsNameTheConfigPath() throws Exception {
    JobEvent end = run("j4", """
        prune_config { filter_pruner { balanced_l2_norm_filter_prune { prune_ratio: 1.5 } } }
        """);

    assertEquals(EventType.FAILED, end.type());
    assertEquals("config", end.data().get("stage"));
    assertTrue(String.valueOf(end.data().get("configPath")).contains("prune_ratio"), end.data().toString());
  }

  @Test
  void missingCalibrationDataAndMissingModelsAreRequestErrors() throws Exception {
    JobEvent noData = run("j5", TWO_OF_FOUR, Optional.empty(), new Cancellation());
    assertEquals("request", noData.data().get("stage"), noData.data().toString());
    assertTrue(String.valueOf(noData.data().get("reason")).startsWith("calibration: required"));

    JobEvent wrongDir = run("j6", TWO_OF_FOUR, Optional.of(dir.resolve("nope").toString()), new Cancellation());
    assertEquals("request", wrongDir.data().get("stage"));
    assertTrue(String.valueOf(wrongDir.data().get("reason")).contains("nope"), wrongDir.data().toString());

    Files.delete(dir.resolve("model.onnx"));
    JobEvent noModel = run("j7", TWO_OF_FOUR);
    assertEquals("model", noModel.data().get("stage"), noModel.data().toString());
  }

  @Test
  void aCancelledJobStopsAtALayerBoundary() throws Exception {
    Cancellation cancellation = new Cancellation();
    Files.writeString(dir.resolve("c.cfg"), TWO_OF_FOUR);
    JobRequest request = new JobRequest("j8", dir.resolve("model.onnx").toString(), dir.resolve("c.cfg").toString(),
        Optional.of(dir.resolve("calib").toString()), Optional.empty(), dir.resolve("out-j8").toString());
    ChainExecutor chain = new ChainExecutor(host.registry(), ChainSettings.defaults(), new StepMetrics(meters));

    JobEvent end = chain.execute(request, e -> {
      if (e.type() == EventType.STEP_STARTED) {
        cancellation.cancel(); // as a cancel request arriving while the first layer runs
      }
    }, cancellation);

    assertEquals(EventType.CANCELLED, end.type(), end.data().toString());
    assertEquals("sparsity.2of4", end.data().get("capability"));
    assertFalse(Files.exists(dir.resolve("out-j8").resolve(OutputFiles.DEPLOY_MODEL)));
    assertEquals(1, meters.get(StepMetrics.DURATION).tag("outcome", "cancelled").timer().count());
  }

  @Test
  void aJobInterruptedAfterItsFirstStepResumesFromItsSavedResult() throws Exception {
    ArtifactStores local = ArtifactStores.localOnly();
    Path out = dir.resolve("out-resume");
    AttemptOutputs second = resumeAfterTheFirstStep(local, out.toString(), dir.resolve("work"), dir.resolve("work"));

    assertTrue(Files.exists(out.resolve(".checkpoints/step-1.onnx")), "the 2:4 step was saved beside the outputs");
    OnnxModel deploy = OnnxModel.load(Path.of(second.staged()).resolve(OutputFiles.DEPLOY_MODEL));
    NmPatternCheck.require(deploy, List.of("conv2", "fc"), NmPattern.M4N2);
    JsonNode report = new ObjectMapper().readTree(Path.of(second.staged()).resolve(OutputFiles.REPORT).toFile());
    assertEquals("sparsity.2of4", report.at("/steps/0/capability").asText(), report.toPrettyString());
    assertEquals(2, report.at("/steps/0/layers").size(), report.toPrettyString());
  }

  @Test
  void aJobWithS3OutputsResumesOnAnotherInstanceFromTheStepSavedInTheBucket() throws Exception {
    try (S3Server s3 = S3Server.start(dir.resolve("s3"));
        ArtifactStores stores = ArtifactStores.of(new S3Settings(true))) {
      s3.configureSdk();
      s3.bucket("jobs");
      String out = "s3://jobs/team/out-resume";
      // each attempt on an instance of its own: its own work root, nothing local shared
      AttemptOutputs second = resumeAfterTheFirstStep(stores, out, dir.resolve("instance-1"),
          dir.resolve("instance-2"));

      List<String> keys = keys(s3, "jobs");
      assertTrue(keys.containsAll(List.of("team/out-resume/.checkpoints/step-1.onnx",
          "team/out-resume/.checkpoints/step-1.json")), keys.toString());
      assertTrue(keys.contains("team/out-resume/.attempts/second/" + OutputFiles.DEPLOY_MODEL), keys.toString());
      NmPatternCheck.require(OnnxModel.fromBytes(s3.get("jobs", "team/out-resume/.attempts/second/"
          + OutputFiles.DEPLOY_MODEL), "deploy"), List.of("conv2", "fc"), NmPattern.M4N2);

      second.promote();
      assertEquals(List.of(OutputFiles.DEPLOY_MODEL, OutputFiles.FAKEQUANT_MODEL, OutputFiles.REPORT).stream()
          .map(f -> "team/out-resume/" + f).sorted().toList(), keys(s3, "jobs"),
          "the promoted outputs, no staging, no saved steps");
      JsonNode report = new ObjectMapper().readTree(s3.get("jobs", "team/out-resume/" + OutputFiles.REPORT));
      assertEquals("sparsity.2of4", report.at("/steps/0/capability").asText(), report.toPrettyString());
    }
  }

  /**
   * Runs a 2:4 + INT8 job as two attempts, each through the staging executor: the first dies as its second step
   * starts (a cancel stands in for the kill), the second resumes after the 2:4 step the first saved.
   *
   * @return the second attempt, completed and not yet promoted
   */
  private AttemptOutputs resumeAfterTheFirstStep(ArtifactStores stores, String output, Path firstWork,
      Path secondWork) throws Exception {
    Files.copy(Path.of(System.getProperty("compactor.it.bundles")).resolve("bundle-quant-int8.jar"),
        bundles.resolve("bundle-quant-int8.jar"));
    waitForProvider("quant.int8");
    Files.writeString(dir.resolve("resume.cfg"), TWO_OF_FOUR_INT8);
    JobRequest request = new JobRequest("resume", dir.resolve("model.onnx").toString(),
        dir.resolve("resume.cfg").toString(), Optional.of(dir.resolve("calib").toString()),
        Optional.of(dir.resolve("eval").toString()), output);
    AttemptOutputs first = new AttemptOutputs(stores, output, "first");
    Cancellation dies = new Cancellation();
    JobEvent died = instance(stores, firstWork).execute(request.withOutput(first.staged()), e -> {
      events.add(e);
      if (e.type() == EventType.STEP_STARTED && ((Number) e.data().get("index")).intValue() == 2) {
        dies.cancel();
      }
    }, dies, Optional.of(first.checkpoints()));
    assertEquals(EventType.CANCELLED, died.type(), died.data().toString());
    assertEquals(1, completedSteps("sparsity.2of4"));
    first.discard();
    events.clear();

    AttemptOutputs second = new AttemptOutputs(stores, output, "second");
    JobEvent end = instance(stores, secondWork).execute(request.withOutput(second.staged()), events::add,
        new Cancellation(), Optional.of(second.checkpoints()));
    assertEquals(EventType.COMPLETED, end.type(), end.data().toString());
    assertEquals(List.of("quant.int8"), events.stream().filter(e -> e.type() == EventType.STEP_STARTED)
        .map(e -> String.valueOf(e.data().get("capability"))).toList(), "only the unfinished step runs");
    JobEvent resumed = events.stream().filter(e -> e.type() == EventType.STEP_COMPLETED).findFirst().orElseThrow();
    assertEquals("sparsity.2of4", resumed.data().get("capability"));
    assertEquals(true, resumed.data().get("resumed"));
    assertEquals(1, completedSteps("sparsity.2of4"), "the 2:4 step did not run again");
    assertEquals(1, completedSteps("quant.int8"));
    return second;
  }

  /** @return what one instance runs a job with: the chain behind the staging of {@code s3://} artifacts */
  private JobExecutor instance(ArtifactStores stores, Path work) {
    ChainExecutor chain = new ChainExecutor(host.registry(), new ChainSettings(16, Duration.ofMillis(200), work),
        new StepMetrics(meters));
    return new StagedExecutor(chain, work, stores);
  }

  private static List<String> keys(S3Server s3, String bucket) {
    // S3Proxy's filesystem store lists its directories as folder markers ("team/"): not objects of ours
    return s3.client().listObjectsV2Paginator(b -> b.bucket(bucket)).contents().stream().map(o -> o.key())
        .filter(k -> !k.endsWith("/")).sorted().toList();
  }

  private long completedSteps(String capability) {
    var timer = meters.find(StepMetrics.DURATION).tag("capability", capability).tag("outcome", "completed").timer();
    return timer == null ? 0 : timer.count();
  }

  private void waitForProvider(String capability) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (host.registry().chosen(capability).isEmpty()) {
      assertTrue(System.nanoTime() < deadline, capability + " never got a provider: " + host.registry().providers());
      Thread.sleep(50);
    }
  }

}
