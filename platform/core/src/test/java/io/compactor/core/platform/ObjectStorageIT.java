package io.compactor.core.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.compactor.core.artifact.S3Server;
import io.compactor.core.artifact.S3Settings;
import io.compactor.core.chain.ChainSettings;
import io.compactor.core.cli.Cli;
import io.compactor.core.job.ArtifactRoots;
import io.compactor.core.job.EventType;
import io.compactor.core.job.JobEvent;
import io.compactor.core.job.JobRequest;
import io.compactor.core.job.TuneParameters;
import io.compactor.core.kafka.JobClient;
import io.compactor.core.kafka.Topics;
import io.compactor.onnx.fixtures.TestModels;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.npy.Npy;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code s3://} artifacts against a real S3 server (S3Proxy on a loopback port, filesystem-backed, signatures
 * checked), configured through the AWS SDK's standard settings: {@code compress} and jobs over Kafka read the
 * model, configuration and data from a bucket and publish their outputs to it; URIs outside the allowed bucket
 * prefixes and missing keys fail naming the field and URI; path-style addressing is honoured; the secret key
 * appears in no event, report or log line.
 */
@Tag("integration")
class ObjectStorageIT {
  private static final String SPARSE = "prune_config { n_out_of_m_pruner { l1_selective_prune { n_out_of_m_type: M4N2 } } }\n";
  private static final String TEAM = "s3://models/team/";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  private static S3Server s3;
  private static Platform platform;
  private static Path bundles;
  private static PrintStream stderr;
  private static final ByteArrayOutputStream LOG = new ByteArrayOutputStream();

  @BeforeAll
  static void start() throws Exception {
    stderr = System.err;
    System.setErr(new PrintStream(new Tee(stderr, LOG), true, StandardCharsets.UTF_8)); // the log, to search
    s3 = S3Server.start(dir.resolve("s3"));
    s3.configureSdk();
    s3.bucket("models");
    s3.bucket("other");
    Path local = Files.createDirectories(dir.resolve("local"));
    TestModels.residualCnn(3, false).save(local.resolve("model.onnx"));
    Files.writeString(local.resolve("sparse.cfg"), SPARSE);
    Npy.write(local.resolve("image.npy"), TestModels.images(5, 24));
    s3.put("models", "team/model.onnx", local.resolve("model.onnx"));
    s3.put("other", "team/model.onnx", local.resolve("model.onnx"));
    s3.put("models", "team-other/model.onnx", local.resolve("model.onnx"));
    s3.put("models", "team/sparse.cfg", local.resolve("sparse.cfg"));
    s3.put("models", "team/calib/image.npy", local.resolve("image.npy"));
    s3.put("models", "team/calib/nested/ignored.txt", local.resolve("sparse.cfg"));
    s3.put("models", "team/eval/image.npy", local.resolve("image.npy"));
    Path external = TestModels.saveWithExternalData(TestModels.residualCnn(3, false), "fc.w",
        local.resolve("external"), "model.onnx", "weights/fc.bin");
    s3.put("models", "team/external/model.onnx", external);
    s3.put("models", "team/external/weights/fc.bin", external.resolveSibling("weights/fc.bin"));

    bundles = Files.createDirectories(dir.resolve("bundles"));
    Files.copy(Path.of(System.getProperty("compactor.it.bundles")).resolve("bundle-prune-2of4.jar"),
        bundles.resolve("bundle-prune-2of4.jar"));
    platform = Platform.start(new PlatformSettings(Optional.empty(), bundles, 0, "s3-group", "s3-1", 1,
        Topics.DEFAULT, 2, Optional.empty(), ArtifactRoots.parse(List.of(dir.resolve("local").toString(), "s3://models/team", "s3://nobucket")),
        Map.of(), new ChainSettings(16, Duration.ofMillis(200), dir.resolve("work")),
        new S3Settings(true), PlatformSettings.SESSION_TIMEOUT));
  }

  @AfterAll
  static void stop() throws Exception {
    if (platform != null) {
      platform.close();
    }
    if (s3 != null) {
      s3.close();
    }
    System.setErr(stderr);
  }

  private static Cli.Run compress(String output, String... more) {
    List<String> args = new ArrayList<>(List.of("compress", "--bundles", bundles.toString(), "--model",
        TEAM + "model.onnx", "--config", TEAM + "sparse.cfg", "--calibration", TEAM + "calib", "--eval",
        TEAM + "eval/", "--output", output));
    args.addAll(List.of(more));
    return Cli.run(args.toArray(String[]::new));
  }

  private static JobEvent submit(String id, String model, String output) {
    List<JobEvent> events = Collections.synchronizedList(new ArrayList<>());
    JobRequest request = new JobRequest(id, model, TEAM + "sparse.cfg", Optional.of(TEAM + "calib"),
        Optional.empty(), output);
    JobEvent end = new JobClient(platform.bootstrapServers(), Map.of(), Topics.DEFAULT)
        .submit(request, events::add, Duration.ofMinutes(2)).orElseThrow();
    for (JobEvent e : events) {
      assertFalse(e.data().toString().contains(S3Server.SECRET_KEY), e.toString());
    }
    return end;
  }

  @Test
  void compressReadsEverythingFromTheBucketAndPublishesTheOutputsThere() throws Exception {
    Cli.Run r = compress(TEAM + "out-compress", "--s3-path-style");

    assertEquals(0, r.code(), r.out() + r.err());
    OnnxModel deploy = OnnxModel.fromBytes(s3.get("models", "team/out-compress/model.deploy.onnx"), "deploy");
    assertFalse(deploy.toString().isEmpty());
    OnnxModel.fromBytes(s3.get("models", "team/out-compress/model.fakequant.onnx"), "fakequant");
    JsonNode report = JSON.readTree(s3.get("models", "team/out-compress/report.json"));
    assertTrue(report.size() > 0, report.toString());
    assertFalse(report.toString().contains(S3Server.SECRET_KEY));
    assertFalse((r.out() + r.err()).contains(S3Server.SECRET_KEY));
  }

  @Test
  void aModelWithExternalDataIsStagedWithItsDataFiles() {
    JobEvent end = submit("s3-external", TEAM + "external/model.onnx", TEAM + "out-external");
    assertEquals(EventType.COMPLETED, end.type(), end.toString());
  }

  @Test
  void withoutPathStyleTheBucketIsAddressedAsAHostAndTheJobFailsNamingTheField() {
    Cli.Run r = compress(TEAM + "out-virtual");

    assertEquals(2, r.code(), r.out() + r.err());
    assertTrue((r.out() + r.err()).contains("model: " + TEAM + "model.onnx: "), r.out() + r.err());
    assertFalse((r.out() + r.err()).contains(S3Server.SECRET_KEY));
    if (!resolves("models.localhost")) { // where *.localhost resolves, S3Proxy answers for a bucket "team" instead
      assertTrue((r.out() + r.err()).contains("the S3 endpoint is unreachable: unknown host models.localhost"),
          r.out() + r.err());
    }
  }

  @Test
  void aJobOverKafkaPublishesItsOutputsAndNamesTheirUris() throws Exception {
    JobEvent end = submit("s3-kafka", TEAM + "model.onnx", TEAM + "out-kafka");

    assertEquals(EventType.COMPLETED, end.type(), end.data().toString());
    assertEquals(Map.of("deployModel", TEAM + "out-kafka/model.deploy.onnx", "fakequantModel",
        TEAM + "out-kafka/model.fakequant.onnx", "report", TEAM + "out-kafka/report.json"), end.data().get("outputs"));
    // in place once the completed event is out: no staged or saved key left either
    assertEquals(List.of("team/out-kafka/model.deploy.onnx", "team/out-kafka/model.fakequant.onnx",
        "team/out-kafka/report.json"), keys("team/out-kafka/"));
    OnnxModel.fromBytes(s3.get("models", "team/out-kafka/model.deploy.onnx"), "deploy");
    String report = new String(s3.get("models", "team/out-kafka/report.json"), StandardCharsets.UTF_8);
    assertEquals(TEAM + "model.onnx", JSON.readTree(report).path("inputs").path("model").asText(), report);
    assertEquals(TEAM + "calib", JSON.readTree(report).path("inputs").path("calibration").asText(), report);
    assertFalse(report.contains(S3Server.SECRET_KEY));
    assertFalse(end.data().toString().contains(S3Server.SECRET_KEY));
    JobEvent again = submit("s3-kafka", TEAM + "model.onnx", TEAM + "out-kafka");
    assertEquals(true, again.data().get("replayed"), "the same request again is answered from the objects, not "
        + "computed again: " + again.data());
    assertEquals(end.data().get("outputs"), again.data().get("outputs"));
    String log = LOG.toString(StandardCharsets.UTF_8);
    assertTrue(log.contains("platform s3-1 up"), "the log is captured");
    assertFalse(log.contains(S3Server.SECRET_KEY), "the secret key is in the log");
  }

  @Test
  void aTuneJobReadsItsDataFromTheBucketAndPublishesEveryFileItWrites() throws Exception {
    TuneParameters loose = new TuneParameters(Optional.empty(), Optional.of(0.0), "sparsity",
        Optional.of(List.of("sparsity.2of4")), Optional.empty(), Optional.empty());
    JobRequest request = new JobRequest("s3-tune", TEAM + "model.onnx", Optional.empty(), Optional.of(TEAM + "calib"),
        Optional.of(TEAM + "eval"), TEAM + "out-tune", Optional.empty(), Optional.of(loose));
    JobEvent end = new JobClient(platform.bootstrapServers(), Map.of(), Topics.DEFAULT)
        .submit(request, e -> { }, Duration.ofMinutes(3)).orElseThrow();

    assertEquals(EventType.COMPLETED, end.type(), end.data().toString());
    assertEquals("tune", end.data().get("kind"));
    Map<?, ?> outputs = (Map<?, ?>) end.data().get("outputs");
    assertTrue(outputs.keySet().containsAll(List.of("tunedConfig", "tuneReport", "deployModel", "report")), outputs
        .toString());
    for (Object uri : outputs.values()) {
      assertTrue(uri.toString().startsWith(TEAM + "out-tune/"), uri.toString());
      assertTrue(s3.get("models", uri.toString().substring("s3://models/".length())).length > 0, uri.toString());
    }
    assertTrue(new String(s3.get("models", "team/out-tune/tuned.cfg"), StandardCharsets.UTF_8).contains("M4N2"));
  }

  @Test
  void urisOutsideTheAllowedBucketPrefixesAreRefusedByFieldAndUri() {
    for (String model : List.of("s3://other/team/model.onnx", "s3://models/team-other/model.onnx",
        "s3://models/team/../team-other/model.onnx")) {
      JobEvent end = submit("s3-outside-" + Math.abs(model.hashCode()), model, TEAM + "out-outside");
      assertEquals(EventType.FAILED, end.type(), end.data().toString());
      assertEquals("request", end.data().get("stage"));
      assertTrue(String.valueOf(end.data().get("reason")).startsWith("model: "), end.data().toString());
      assertTrue(String.valueOf(end.data().get("reason")).contains(model), end.data().toString());
    }
  }

  @Test
  void aMissingKeyFailsNamingTheFieldAndUri() {
    JobEvent end = submit("s3-missing", TEAM + "missing.onnx", TEAM + "out-missing");

    assertEquals(EventType.FAILED, end.type(), end.data().toString());
    assertEquals("request", end.data().get("stage"));
    assertTrue(String.valueOf(end.data().get("reason")).startsWith("model: " + TEAM + "missing.onnx: no such key"),
        end.data().toString());
    JobEvent noBucket = submit("s3-nobucket", "s3://nobucket/model.onnx", TEAM + "out-missing");
    assertEquals(EventType.FAILED, noBucket.type(), noBucket.data().toString());
    assertTrue(String.valueOf(noBucket.data().get("reason")).startsWith("model: s3://nobucket/model.onnx: no such bucket"),
        noBucket.data().toString());
  }

  /** @return the keys under {@code prefix}, sorted, without the folder markers S3Proxy's filesystem store lists */
  private static List<String> keys(String prefix) {
    return s3.client().listObjectsV2Paginator(b -> b.bucket("models").prefix(prefix)).contents().stream()
        .map(o -> o.key()).filter(k -> !k.endsWith("/")).sorted().toList();
  }

  private static boolean resolves(String host) {
    try {
      java.net.InetAddress.getByName(host);
      return true;
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  /** Writes to two streams. */
  private static final class Tee extends OutputStream {
    private final OutputStream a;
    private final OutputStream b;

    Tee(OutputStream a, OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int c) throws java.io.IOException {
      a.write(c);
      synchronized (b) {
        b.write(c);
      }
    }

    @Override
    public void write(byte[] buf, int off, int len) throws java.io.IOException {
      a.write(buf, off, len);
      synchronized (b) {
        b.write(buf, off, len);
      }
    }
  }
}
