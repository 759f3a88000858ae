package io.compactor.core.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.compactor.core.chain.ChainSettings;
import io.compactor.core.cli.Cli;
import io.compactor.core.config.ConfigFile;
import io.compactor.core.job.ArtifactRoots;
import io.compactor.core.job.AttemptOutputs;
import io.compactor.core.job.EventType;
import io.compactor.core.job.JobMessages;
import io.compactor.core.job.JobRequest;
import io.compactor.core.job.TuneParameters;
import io.compactor.core.platform.Platform;
import io.compactor.core.platform.PlatformSettings;
import io.compactor.onnx.fixtures.TestModels;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.npy.Npy;
import io.compactor.onnx.runtime.ModelSession;
import io.compactor.onnx.tensor.Tensor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tune jobs over Kafka as a user sends them: the platform as {@code run} starts it (embedded Kafka, the real INT8
 * bundle jar in Felix, real ONNX Runtime), {@code compactor submit --kind tune --wait}, on a residual CNN built in
 * code whose labels are its own FP32 predictions. The space is INT8 static only, so each tune verifies few
 * candidates; the search itself is {@code TuneIT}'s to test.
 */
@Tag("integration")
class TuneJobIT {
  private static final Duration WAIT = Duration.ofMinutes(5);
  @TempDir static Path dir;
  private static Platform platform;

  @BeforeAll
  static void start() throws Exception {
    Path bundles = Files.createDirectories(dir.resolve("bundles"));
    Files.copy(Path.of(System.getProperty("compactor.it.bundles")).resolve("bundle-quant-int8.jar"),
        bundles.resolve("bundle-quant-int8.jar"));
    OnnxModel m = TestModels.residualCnn(7, false);
    m.save(dir.resolve("model.onnx"));
    Npy.write(Files.createDirectories(dir.resolve("calib")).resolve("image.npy"), TestModels.images(11, 48));
    Files.writeString(dir.resolve("base.cfg"), """
        batch_num: 2
        retrain_data_quant_config { ulq_quantize { dst_type: INT8 } }
        retrain_weight_quant_config { arq_retrain { dst_type: INT8 } }
        """); // the base configuration's settings are kept
    Tensor eval = TestModels.images(12, 64);
    Tensor logits;
    try (ModelSession s = ModelSession.open(m)) {
      logits = s.run(Map.of("image", eval)).get("logits");
    }
    Path labelled = Files.createDirectories(dir.resolve("eval"));
    Npy.write(labelled.resolve("image.npy"), eval);
    Npy.write(labelled.resolve("labels.npy"), TestModels.labelsOf(logits));
    platform = Platform.start(new PlatformSettings(Optional.empty(), bundles, 0, "it-tune", "it-t1", 1,
        Topics.DEFAULT, 2, new ArtifactRoots(List.of(dir)), Map.of(),
        new ChainSettings(16, Duration.ofSeconds(5), dir.resolve("work"))));
  }

  @AfterAll
  static void stop() {
    if (platform != null) {
      platform.close();
    }
  }

  private static Cli.Run submit(String id, String... budget) {
    return Cli.run(Stream.concat(Stream.of("submit", "--kind", "tune", "--bootstrap-servers",
        platform.bootstrapServers(), "--model", dir.resolve("model.onnx").toString(), "--calibration",
        dir.resolve("calib").toString(), "--eval", dir.resolve("eval").toString(), "--config",
        dir.resolve("base.cfg").toString(), "--capabilities", "quant.int8",
        "--int8", "static", "--output", dir.resolve("out-" + id).toString(), "--job-id", id, "--wait", "--timeout",
        "PT5M"), Stream.of(budget)).toArray(String[]::new));
  }

  @Test
  void aTuneJobReportsItsPhasesAndCompletesWithTheTunedFilesInItsOutput() throws Exception {
    Cli.Run run = submit("tune-met", "--max-drop", "5");

    assertEquals(0, run.code(), run.out() + run.err());
    assertTrue(run.out().contains("met: "), run.out());
    try (EventLog log = new EventLog(platform.bootstrapServers(), Topics.DEFAULT.events(), true)) {
      List<EventLog.Entry> seen = log.until(EventLog.ended("tune-met"), WAIT); // every event checked by its schema
      List<EventLog.Entry> progress = log.of("tune-met", EventType.TUNE_PROGRESS);
      List<String> phases = progress.stream().map(e -> e.body().get("phase").asText()).distinct().toList();
      assertEquals(List.of("sensitivity", "verify"), phases, "INT8 on every operator meets the budget: no search");
      JsonNode lastVerify = progress.get(progress.size() - 1).body();
      assertTrue(lastVerify.get("best").get("meetsBudget").asBoolean(), lastVerify.toString());
      assertTrue(seen.stream().filter(e -> "tune-met".equals(e.key())).noneMatch(e -> e.type() == EventType.PLANNED),
          "a tune's candidates run without events of their own");

      JsonNode completed = log.of("tune-met", EventType.COMPLETED).get(0).body();
      assertEquals("tune", completed.get("kind").asText());
      JsonNode tune = completed.get("tune");
      assertTrue(tune.get("budgetMet").asBoolean(), tune.toString());
      assertEquals("maxDrop", tune.get("budget").get("kind").asText());
      assertTrue(tune.get("margin").asDouble() >= 0, tune.toString());
      assertEquals("size", tune.get("objective").asText());
      assertTrue(tune.get("candidate").get("index").asInt() > 0, tune.toString());
      assertEquals(tune.get("candidate").get("deployBytes").asLong(), completed.get("summary").get("deployBytes")
          .asLong(), "the summary is the chosen run's");
      Path out = dir.resolve("out-tune-met");
      assertEquals(tune.get("candidate").get("objectiveValue").asLong(), Files.size(out.resolve("model.deploy.onnx")));
      for (String field : List.of("deployModel", "fakequantModel", "report", "tunedConfig", "tunedJson", "tuneReport",
          "tuneReportMarkdown", "sensitivityChart", "tradeoffChart")) {
        Path file = Path.of(completed.get("outputs").get(field).asText());
        assertEquals(out, file.getParent(), field + " is promoted out of the attempt's directory");
        assertTrue(Files.size(file) > 0, field);
      }
      assertFalse(Files.exists(out.resolve(AttemptOutputs.ATTEMPTS)), "the attempt's directory is gone");
      assertEquals(List.of(), ConfigFile.read(out.resolve("tuned.cfg")).problems());
      assertTrue(Files.readString(out.resolve("tuned.cfg")).contains("batch_num: 2"), "the base is kept");
    }
  }

  @Test
  void anUnmetBudgetCompletesWithTheClosestCandidateAndSubmitExitsThree() throws Exception {
    Cli.Run run = submit("tune-unmet", "--min-fidelity", "1.0");

    assertEquals(3, run.code(), run.out() + run.err());
    assertTrue(run.out().contains("NOT MET: no compressed candidate meets mean cosine ≥ 1.0000"), run.out());
    try (EventLog log = new EventLog(platform.bootstrapServers(), Topics.DEFAULT.events(), true)) {
      log.until(EventLog.ended("tune-unmet"), WAIT);
      JsonNode tune = log.of("tune-unmet", EventType.COMPLETED).get(0).body().get("tune");
      assertFalse(tune.get("budgetMet").asBoolean(), tune.toString());
      assertTrue(tune.get("margin").asDouble() < 0, "missed by that much: " + tune);
      assertTrue(tune.get("candidate").get("index").asInt() > 0 && !tune.get("candidate").get("meetsBudget")
          .asBoolean(), tune.toString());
      assertTrue(Files.readString(dir.resolve("out-tune-unmet/tuned.cfg")).contains("DOES NOT MEET THE BUDGET"));
    }
  }

  @Test
  void aCancelledTuneEndsCancelledBeforeItsNextCandidateAndLeavesNoFiles() throws Exception {
    JobRequest tune = new JobRequest("tune-cancel", dir.resolve("model.onnx").toString(),
        Optional.of(dir.resolve("base.cfg").toString()), Optional.of(dir.resolve("calib").toString()),
        Optional.of(dir.resolve("eval").toString()), dir.resolve("out-cancel").toString(), Optional.empty(),
        Optional.of(new TuneParameters(Optional.empty(), Optional.of(1.0), "size",
            Optional.of(List.of("quant.int8")), Optional.empty(), Optional.of(List.of("static")))));
    // sent together: the cancel is seen before the job starts or while it runs, never after its few candidates
    send("tune-cancel", JobMessages.write(tune), JobMessages.cancel("tune-cancel"));
    try (EventLog log = new EventLog(platform.bootstrapServers(), Topics.DEFAULT.events(), true)) {
      log.until(EventLog.ended("tune-cancel"), WAIT);
      List<EventLog.Entry> ends = log.of("tune-cancel", EventType.CANCELLED);
      assertEquals(1, ends.size(), log.describe());
      JsonNode cancelled = ends.get(0).body();
      assertEquals("tune", cancelled.get("kind").asText());
    }
    Path out = dir.resolve("out-cancel");
    assertTrue(!Files.exists(out) || Files.list(out).noneMatch(Files::isRegularFile), "nothing promoted");
  }

  private static void send(String key, byte[]... values) throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers());
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(),
        new ByteArraySerializer())) {
      for (byte[] value : values) {
        producer.send(new ProducerRecord<>(Topics.DEFAULT.jobs(), key, value)).get(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void aTuneRequestWithoutEvalDataFailsNamingTheFieldAndIsCountedAsATune() throws Exception {
    String request = "{\"kind\":\"tune\",\"jobId\":\"tune-bad\",\"model\":\"" + dir.resolve("model.onnx")
        + "\",\"calibration\":\"" + dir.resolve("calib") + "\",\"maxDrop\":1,\"output\":\"" + dir.resolve("out-bad")
        + "\"}";
    send("tune-bad", request.getBytes(StandardCharsets.UTF_8));
    try (EventLog log = new EventLog(platform.bootstrapServers(), Topics.DEFAULT.events(), true)) {
      log.until(EventLog.ended("tune-bad"), WAIT);
      JsonNode failed = log.of("tune-bad", EventType.FAILED).get(0).body();
      assertEquals("request", failed.get("stage").asText());
      assertTrue(failed.get("reason").asText().contains("required property 'eval' not found"), failed.toString());
      assertEquals("tune", failed.get("kind").asText());
    }
    String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:"
        + platform.httpPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
    assertTrue(metrics.contains("compactor_jobs_finished_total{kind=\"tune\",outcome=\"failed\",stage=\"request\"} 1.0"),
        metrics);
  }
}
