package io.compactor.core.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.compactor.core.host.HostSettings;
import io.compactor.core.host.OsgiHost;
import io.compactor.core.host.TestBundles;
import io.compactor.core.host.testbundles.retraining.RecordingRetrainer;
import io.compactor.core.job.Cancellation;
import io.compactor.core.job.EventType;
import io.compactor.core.job.JobEvent;
import io.compactor.core.job.JobMessages;
import io.compactor.core.job.JobRequest;
import io.compactor.core.job.Schemas;
import io.compactor.core.metrics.StepMetrics;
import io.compactor.core.output.OutputFiles;
import io.compactor.onnx.fixtures.TestModels;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.npy.Npy;
import io.compactor.onnx.runtime.Dataset;
import io.compactor.onnx.runtime.Evaluation;
import io.compactor.onnx.runtime.ModelSession;
import io.compactor.onnx.tensor.Tensor;
import io.compactor.retrain.NmPattern;
import io.compactor.retrain.NmPatternCheck;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chain's prepare → retrain → export shape on a real OSGi host: the real 2:4 and INT8 bundle jars, and
 * the test retraining provider {@code test.retraining} ({@link RecordingRetrainer}) built as a jar. It checks
 * what the retraining step receives (masks, quantization, training data), that its epochs reach the events,
 * metrics and report, that the deploy model is exported after it, and every way retraining cannot run.
 */
@Tag("integration")
class RetrainChainIT {
  private static final String TWO_OF_FOUR_INT8 = """
      batch_num: 1
      prune_config { n_out_of_m_pruner { l1_selective_prune { n_out_of_m_type: M4N2 update_freq: 0 } } }
      retrain_data_quant_config { ulq_quantize { dst_type: INT8 } }
      retrain_weight_quant_config { arq_retrain { dst_type: INT8 } }
      """;
  private static final String RETRAIN = "compactor_retrain { epochs: 3 learning_rate: 0.001 batch_size: 8 "
      + "max_minutes: 1 seed: 1 held_out_fraction: 0.1 train: ALL on_unsupported: %s }\n";

  @TempDir Path dir;
  private Path bundles;
  private OsgiHost host;
  private final List<JobEvent> events = Collections.synchronizedList(new ArrayList<>());
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  @BeforeEach
  void startHost() throws Exception {
    bundles = Files.createDirectories(dir.resolve("bundles"));
    for (String jar : List.of("bundle-prune-2of4.jar", "bundle-quant-int8.jar")) {
      Files.copy(Path.of(System.getProperty("compactor.it.bundles")).resolve(jar), bundles.resolve(jar));
    }
    host = OsgiHost.start(HostSettings.of(bundles));
    host.awaitSettled(Duration.ofSeconds(20));
    TestModels.residualCnn(7, true).save(dir.resolve("model.onnx"));
    Npy.write(Files.createDirectories(dir.resolve("calib")).resolve("image.npy"), TestModels.images(11, 64));
    Npy.write(Files.createDirectories(dir.resolve("eval")).resolve("image.npy"), TestModels.images(12, 32));
    Npy.write(Files.createDirectories(dir.resolve("train")).resolve("image.npy"), TestModels.images(13, 20));
    waitForProvider("quant.int8");
  }

  @AfterEach
  void stopHost() {
    System.clearProperty(RecordingRetrainer.UNTRAINABLE);
    host.close();
  }

  private void installRetrainer() throws Exception {
    Path jar = TestBundles.build(Files.createDirectories(dir.resolve("build")), "test.retraining", "1.0.0",
        "retraining", Map.of());
    Files.copy(jar, bundles.resolve("retraining.jar"));
    host.awaitSettled(Duration.ofSeconds(20));
    waitForProvider("retrain.distill");
  }

  private JobEvent run(String id, String config, Optional<String> training) throws Exception {
    Files.writeString(dir.resolve(id + ".cfg"), config);
    JobRequest request = new JobRequest(id, dir.resolve("model.onnx").toString(), dir.resolve(id + ".cfg").toString(),
        Optional.of(dir.resolve("calib").toString()), Optional.of(dir.resolve("eval").toString()),
        dir.resolve("out-" + id).toString(), training);
    ChainExecutor chain = new ChainExecutor(host.registry(),
        new ChainSettings(16, Duration.ofMillis(200), dir.resolve("work")), new StepMetrics(meters));
    JobEvent end = chain.execute(request, events::add, new Cancellation());
    events.add(end);
    for (JobEvent e : events) {
      Map<String, Object> m = new LinkedHashMap<>(e.data());
      m.put("jobId", e.jobId());
      assertEquals(List.of(), Schemas.validate(Schemas.eventSchema(e.type()), JobMessages.tree(m)),
          e.type().id() + " " + e.data());
    }
    return end;
  }

  @Test
  void retrainingRunsAfterTheCompressionStepsOnTheirFormAndTheExportRunsAfterIt() throws Exception {
    installRetrainer();

    JobEvent end = run("jr", TWO_OF_FOUR_INT8 + RETRAIN.formatted("FAIL"), Optional.of(dir.resolve("train").toString()));

    assertEquals(EventType.COMPLETED, end.type(), end.data().toString());
    List<String> stages = events.stream().filter(e -> e.type() == EventType.STEP_STARTED)
        .map(e -> String.valueOf(e.data().get("stage"))).toList();
    assertEquals(List.of("sparsity", "quantization", "retraining"), stages);
    List<JobEvent> epochs = events.stream().filter(e -> e.type() == EventType.STEP_PROGRESS
        && "retrain.distill".equals(e.data().get("capability"))).toList();
    assertEquals(List.of(1, 2, 3), epochs.stream().map(e -> e.data().get("epoch")).toList());
    assertEquals(1.0 / 3, ((Number) epochs.get(2).data().get("loss")).doubleValue(), 1e-12);
    assertEquals(0.93, ((Number) epochs.get(2).data().get("heldOutFidelity")).doubleValue(), 1e-12);

    Map<?, ?> stats = (Map<?, ?>) events.stream().filter(e -> e.type() == EventType.STEP_COMPLETED
        && "retrain.distill".equals(e.data().get("capability"))).findFirst().orElseThrow().data().get("stats");
    assertEquals(2, stats.get("masks"), "2:4 declared the masks of conv2 and fc: " + stats);
    assertTrue(((Number) stats.get("quantized_layers")).intValue() >= 2, stats.toString());
    assertEquals(20, stats.get("training_samples"), "the --train directory, not the 64 calibration samples");
    assertTrue(String.valueOf(stats.get("compressed")).contains("fc"), stats.toString());

    Path out = dir.resolve("out-jr");
    JsonNode report = new ObjectMapper().readTree(out.resolve(OutputFiles.REPORT).toFile());
    assertEquals(3, report.at("/retraining/epochs").asInt(), report.toPrettyString());
    assertEquals(0.5, report.at("/retraining/before").asDouble());
    assertEquals(0.75, report.at("/retraining/after").asDouble());
    assertEquals("retraining", report.at("/steps/2/stage").asText());
    Map<?, ?> summary = (Map<?, ?>) end.data().get("summary");
    assertEquals(0.5, summary.get("retrainedBefore"), "the completed event shows quality before and after");
    assertEquals(0.75, summary.get("retrainedAfter"));
    assertEquals(3, summary.get("retrainedEpochs"));
    assertEquals(1, meters.get(StepMetrics.RETRAIN_DURATION).timer().count());
    assertEquals(1.0 / 3, meters.get(StepMetrics.RETRAIN_LOSS).gauge().value(), 1e-12);

    // the retrainer raised fc.b by 2 in the form; the deploy model, exported afterwards, computes the same logits
    OnnxModel fakeQuant = OnnxModel.load(out.resolve(OutputFiles.FAKEQUANT_MODEL));
    OnnxModel deploy = OnnxModel.load(out.resolve(OutputFiles.DEPLOY_MODEL));
    NmPatternCheck.require(deploy, List.of("conv2", "fc"), NmPattern.M4N2);
    Dataset eval = Dataset.fromDirectory(dir.resolve("eval"), deploy);
    Tensor a;
    Tensor b;
    try (ModelSession fq = ModelSession.open(fakeQuant); ModelSession dep = ModelSession.open(deploy)) {
      a = Evaluation.runAll(fq, eval, 32).get("logits");
      b = Evaluation.runAll(dep, eval, 32).get("logits");
    }
    float[] x = a.toFloats();
    float[] y = b.toFloats();
    double worst = 0;
    for (int i = 0; i < x.length; i++) {
      worst = Math.max(worst, Math.abs(x[i] - y[i]));
    }
    assertTrue(worst < RecordingRetrainer.BIAS_SHIFT / 4, "deploy and retrained fake-quant logits differ by " + worst);
  }

  @Test
  void withoutTrainingDataTheCalibrationDataTrains() throws Exception {
    installRetrainer();

    JobEvent end = run("jc", TWO_OF_FOUR_INT8 + RETRAIN.formatted("FAIL"), Optional.empty());

    assertEquals(EventType.COMPLETED, end.type(), end.data().toString());
    Map<?, ?> stats = (Map<?, ?>) events.stream().filter(e -> e.type() == EventType.STEP_COMPLETED
        && "retrain.distill".equals(e.data().get("capability"))).findFirst().orElseThrow().data().get("stats");
    assertEquals(64, stats.get("training_samples"));
  }

  @Test
  void anUntrainableOperatorFailsTheJobNamingItWithOnUnsupportedFail() throws Exception {
    System.setProperty(RecordingRetrainer.UNTRAINABLE, "GlobalAveragePool");
    installRetrainer();

    JobEvent end = run("jf", TWO_OF_FOUR_INT8 + RETRAIN.formatted("FAIL"), Optional.empty());

    assertEquals(EventType.FAILED, end.type());
    assertEquals("retrain.distill", end.data().get("capability"));
    String reason = String.valueOf(end.data().get("reason"));
    assertTrue(reason.contains("gap (GlobalAveragePool)") && reason.contains("on_unsupported: SKIP"), reason);
    assertTrue(events.stream().noneMatch(e -> e.type() == EventType.STEP_STARTED), "nothing ran");
  }

  @Test
  void anUntrainableOperatorSkipsRetrainingAndSaysSoWithOnUnsupportedSkip() throws Exception {
    System.setProperty(RecordingRetrainer.UNTRAINABLE, "GlobalAveragePool");
    installRetrainer();

    JobEvent end = run("js", TWO_OF_FOUR_INT8 + RETRAIN.formatted("SKIP"), Optional.empty());

    assertEquals(EventType.COMPLETED, end.type(), end.data().toString());
    assertEquals(List.of("sparsity", "quantization"), events.stream().filter(e -> e.type() == EventType.STEP_STARTED)
        .map(e -> String.valueOf(e.data().get("stage"))).toList());
    Map<?, ?> planned = events.get(0).data();
    assertEquals(false, ((Map<?, ?>) planned.get("retraining")).get("applies"));
    assertTrue(String.valueOf(planned.get("warnings")).contains("retraining skipped"), planned.toString());
    JsonNode report = new ObjectMapper().readTree(dir.resolve("out-js").resolve(OutputFiles.REPORT).toFile());
    assertFalse(report.at("/retraining/applied").asBoolean(true), report.toPrettyString());
    assertTrue(report.at("/warnings/0").asText().contains("GlobalAveragePool"), report.toPrettyString());
  }

  @Test
  void aMissingRetrainingProviderFailsTheJobNamingTheCapability() throws Exception {
    JobEvent end = run("jm", TWO_OF_FOUR_INT8 + RETRAIN.formatted("FAIL"), Optional.empty());

    assertEquals(EventType.FAILED, end.type());
    assertEquals("plan", end.data().get("stage"));
    assertEquals("retrain.distill", end.data().get("capability"));
    assertTrue(String.valueOf(end.data().get("reason")).contains("compactor_retrain"), end.data().toString());
  }

  /** The bad-training-data catalogue, each case a {@code failed} event naming the file and what is wrong. */
  @Test
  void aBadTrainingDirectoryFailsTheJobNamingTheFileAndTheProblem() throws Exception {
    installRetrainer();
    float[] nan = TestModels.images(13, 4).floats();
    nan[2 * 64 + 1] = Float.NaN;
    Map<String, Map<String, Tensor>> cases = new LinkedHashMap<>();
    cases.put("missing image.npy for model input image", Map.of("other.npy", TestModels.images(13, 4)));
    cases.put("shape [4, 3] does not fit model input image", Map.of("image.npy", Tensor.ofFloats(new long[] {4, 3},
        new float[12])));
    cases.put("holds NaN at sample 2", Map.of("image.npy", Tensor.ofFloats(new long[] {4, 1, 8, 8}, nan)));
    cases.put("holds no samples", Map.of("image.npy", Tensor.ofFloats(new long[] {0, 1, 8, 8})));
    cases.put("labels.npy must be one class id per sample, shape [4], got [3]", Map.of("image.npy",
        TestModels.images(13, 4), "labels.npy", Tensor.ofInt64s(new long[] {3}, 0, 1, 2)));
    int n = 0;
    for (Map.Entry<String, Map<String, Tensor>> c : cases.entrySet()) {
      Path bad = Files.createDirectories(dir.resolve("bad-train-" + n));
      c.getValue().forEach((file, t) -> Npy.write(bad.resolve(file), t));
      events.clear();

      JobEvent end = run("jb" + n++, TWO_OF_FOUR_INT8 + RETRAIN.formatted("FAIL"), Optional.of(bad.toString()));

      assertEquals(EventType.FAILED, end.type(), c.getKey());
      String reason = String.valueOf(end.data().get("reason"));
      String file = c.getKey().startsWith("missing") ? bad.toString() : bad.resolve(c.getKey().startsWith("labels")
          ? "labels.npy" : "image.npy").toString();
      assertTrue(reason.startsWith("training: " + file + ": ") && reason.contains(c.getKey()), reason);
      assertEquals("request", end.data().get("stage"), end.data().toString());
      assertTrue(events.stream().noneMatch(e -> e.type() == EventType.STEP_STARTED), "no step ran: " + reason);
    }
    events.clear();
    assertEquals(EventType.COMPLETED, run("jafter", TWO_OF_FOUR_INT8 + RETRAIN.formatted("FAIL"),
        Optional.of(dir.resolve("train").toString())).type(), "the host still runs jobs");
  }

  private void waitForProvider(String capability) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (host.registry().chosen(capability).isEmpty()) {
      assertTrue(System.nanoTime() < deadline, capability + " never got a provider: " + host.registry().providers());
      Thread.sleep(50);
    }
  }
}
