package io.compactor.core.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.core.chain.ChainSettings;
import io.compactor.core.cli.Cli;
import io.compactor.core.job.ArtifactRoots;
import io.compactor.core.kafka.Topics;
import io.compactor.onnx.fixtures.TestModels;
import io.compactor.onnx.npy.Npy;
import io.compactor.onnx.tensor.Tensor;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The platform as {@code run} starts it: embedded Kafka, the real 2:4 bundle jar in Felix, the chain, the
 * coordinator and the HTTP endpoints. Jobs go in through {@code compactor submit}, exactly as a user sends them.
 */
@Tag("integration")
class PlatformIT {
  @TempDir static Path dir;
  private static Platform platform;
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Path DASHBOARD = Path.of(System.getProperty("basedir", "."))
      .resolve("../../deploy/grafana/dashboards/compactor.json").normalize();

  @BeforeAll
  static void start() throws IOException {
    Path bundles = Files.createDirectories(dir.resolve("bundles"));
    Files.copy(Path.of(System.getProperty("compactor.it.bundles")).resolve("bundle-prune-2of4.jar"),
        bundles.resolve("bundle-prune-2of4.jar"));
    TestModels.residualCnn(3, false).save(dir.resolve("model.onnx"));
    Files.createDirectories(dir.resolve("calib"));
    Npy.write(dir.resolve("calib/image.npy"), TestModels.images(5, 48));
    Files.writeString(dir.resolve("sparse.cfg"), """
        prune_config { n_out_of_m_pruner { l1_selective_prune { n_out_of_m_type: M4N2 } } }
        """);
    Files.writeString(dir.resolve("int8.cfg"), """
        retrain_data_quant_config { ulq_quantize { dst_type: INT8 } }
        retrain_weight_quant_config { arq_retrain { dst_type: INT8 } }
        """);
    platform = Platform.start(new PlatformSettings(Optional.empty(), bundles, 0, "it-group", "it-1", 1,
        Topics.DEFAULT, 2, new ArtifactRoots(List.of(dir)), Map.of(),
        new ChainSettings(16, Duration.ofMillis(200), dir.resolve("work"))));
  }

  @AfterAll
  static void stop() {
    if (platform != null) {
      platform.close();
    }
  }

  private static Cli.Run submit(String id, String config, String... more) {
    return Cli.run(Stream.concat(Stream.of("submit", "--bootstrap-servers", platform.bootstrapServers(), "--model",
        dir.resolve("model.onnx").toString(), "--config", dir.resolve(config).toString(), "--calibration",
        dir.resolve("calib").toString(), "--output", dir.resolve("out-" + id).toString(), "--job-id", id, "--wait",
        "--timeout", "PT2M"), Stream.of(more)).toArray(String[]::new));
  }

  private static String get(String path) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + platform.httpPort() + path))
        .build(), HttpResponse.BodyHandlers.ofString());
    return r.statusCode() + " " + r.body();
  }

  @Test
  void aSubmittedJobRunsOnTheBundleAndIsVisibleInEventsEndpointsAndMetrics() throws Exception {
    Cli.Run first = submit("p1", "sparse.cfg");

    assertEquals(0, first.code(), first.out() + first.err());
    assertTrue(first.out().contains("sparsity.2of4 on io.compactor.bundle.prune2of4"), first.out());
    assertTrue(first.out().contains("completed"), first.out());
    assertTrue(Files.exists(dir.resolve("out-p1/model.deploy.onnx")));
    assertTrue(get("/jobs/p1").startsWith("200 ") && get("/jobs/p1").contains("\"state\":\"completed\""), get("/jobs/p1"));
    assertTrue(get("/health").startsWith("200 ") && get("/health").contains("sparsity.2of4"), get("/health"));
    assertTrue(get("/bundles").contains("io.compactor.bundle.prune2of4"), get("/bundles"));
    String metrics = get("/metrics");
    for (String line : List.of(
        "compactor_step_duration_seconds_count{capability=\"sparsity.2of4\",outcome=\"completed\",provider=\"io.compactor.bundle.prune2of4 ",
        "compactor_providers{capability=\"sparsity.2of4\",state=\"chosen\"} 1.0",
        "compactor_jobs_finished_total{kind=\"compress\",outcome=\"completed\",stage=\"none\"} ",
        "compactor_job_compression_ratio_count ",
        "jvm_memory_used_bytes{")) {
      assertTrue(metrics.contains(line), line + " in\n" + metrics);
    }

    Cli.Run again = submit("p1", "sparse.cfg");
    assertEquals(0, again.code(), again.out() + again.err());
    assertTrue(get("/metrics").contains("compactor_jobs_finished_total{kind=\"compress\",outcome=\"replayed\",stage=\"none\"} 1.0"),
        "a re-submitted id is answered from its outputs, not recomputed");
  }

  @Test
  void aJobAskingForAMissingCapabilityFailsAndThePlatformGoesOn() throws Exception {
    Cli.Run r = submit("p2", "int8.cfg");

    assertEquals(1, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("failed (plan): capability quant.int8"), r.out());
    assertTrue(get("/metrics").contains("compactor_jobs_finished_total{kind=\"compress\",outcome=\"failed\",stage=\"plan\"} 1.0"));
    assertTrue(get("/health").startsWith("200 "));
  }

  @Test
  void theMetricsExpositionPassesPromtool() throws Exception {
    Path promtool = List.of("/usr/bin/promtool", "/usr/local/bin/promtool").stream().map(Path::of)
        .filter(Files::isExecutable).findFirst().orElse(null);
    org.junit.jupiter.api.Assumptions.assumeTrue(promtool != null,
        "promtool not installed (Debian package prometheus); .ci/run installs it");
    Process p = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
    try (var in = p.getOutputStream()) {
      in.write(get("/metrics").substring(4).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
  }

  @Test
  void theDashboardQueriesOnlyMetricsThePlatformExports() throws Exception {
    // its own job, on labelled eval data: job meters appear once a job ended, the accuracy delta only with labels
    Files.createDirectories(dir.resolve("eval"));
    Npy.write(dir.resolve("eval/image.npy"), TestModels.images(6, 12));
    Npy.write(dir.resolve("eval/labels.npy"), Tensor.ofInt64s(new long[] {12}, LongStream.range(0, 12).map(i -> i % 3)
        .toArray()));
    Cli.Run r = submit("p3", "sparse.cfg", "--eval", dir.resolve("eval").toString());
    assertEquals(0, r.code(), r.out() + r.err());

    // Micrometer registers the GC pause timer at the first collection it is told of; a short run may have had none
    System.gc();
    Set<String> exported = MetricNames.inExposition(get("/metrics").substring(4));
    for (int i = 0; i < 100 && !exported.contains("jvm_gc_pause_seconds_count"); i++) {
      Thread.sleep(100);
      exported = MetricNames.inExposition(get("/metrics").substring(4));
    }
    Set<String> queried = MetricNames.inDashboard(DASHBOARD);
    assertTrue(queried.size() >= 15, DASHBOARD + " queries only " + queried);
    Set<String> unknown = new TreeSet<>(queried);
    unknown.removeAll(exported);
    assertTrue(unknown.isEmpty(), DASHBOARD + " queries metrics the platform does not export: " + unknown
        + "\nexported: " + exported);
  }
}
