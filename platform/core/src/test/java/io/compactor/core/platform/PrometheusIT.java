package io.compactor.core.platform;

import io.compactor.core.host.TestBundles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.compactor.core.chain.ChainSettings;
import io.compactor.core.cli.Cli;
import io.compactor.core.job.ArtifactRoots;
import io.compactor.core.kafka.Topics;
import io.compactor.onnx.fixtures.TestModels;
import io.compactor.onnx.npy.Npy;
import io.compactor.onnx.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus scrapes a running platform every second; after jobs have run, every query of the Grafana
 * dashboard (panels and template variables) returns data through Prometheus' HTTP API, with the dashboard's
 * variables and Grafana's interval macros filled in as Grafana would.
 */
@Tag("integration")
class PrometheusIT {
  private static final Path DASHBOARD = Path.of(System.getProperty("basedir", "."))
      .resolve("../../deploy/grafana/dashboards/compactor.json").normalize();
  private static final Duration WAIT = Duration.ofSeconds(90);
  @TempDir Path dir;

  private Cli.Run submit(Platform platform, String id, String config, boolean eval) {
    List<String> args = new java.util.ArrayList<>(List.of("submit", "--bootstrap-servers", platform.bootstrapServers(),
        "--model", dir.resolve("model.onnx").toString(), "--config", dir.resolve(config).toString(), "--calibration",
        dir.resolve("calib").toString(), "--output", dir.resolve("out-" + id).toString(), "--job-id", id, "--wait",
        "--timeout", "PT2M"));
    if (eval) {
      args.addAll(List.of("--eval", dir.resolve("eval").toString()));
    }
    return Cli.run(args.toArray(String[]::new));
  }

  /** Grafana's macros and this dashboard's variables, as Grafana would fill them in for the scraped platform. */
  private static String substitute(String query, Map<String, String> variables) {
    String q = query;
    for (Map.Entry<String, String> v : variables.entrySet()) {
      q = q.replace("${" + v.getKey() + "}", v.getValue()).replace("$" + v.getKey(), v.getValue());
    }
    return q;
  }

  private static boolean hasFiniteValue(JsonNode result) {
    for (JsonNode series : result) {
      String v = series.path("value").path(1).asText();
      if (!v.isEmpty() && Double.isFinite(Double.parseDouble(v))) {
        return true;
      }
    }
    return false;
  }

  @Test
  void everyDashboardQueryReturnsDataAfterJobsRan() throws Exception {
    Optional<Path> binary = PrometheusServer.binary();
    Assumptions.assumeTrue(binary.isPresent(),
        "prometheus not installed (Debian package prometheus); .ci/run installs it");
    Path bundles = Files.createDirectories(dir.resolve("bundles"));
    Files.copy(Path.of(System.getProperty("compactor.it.bundles")).resolve("bundle-prune-2of4.jar"),
        bundles.resolve("bundle-prune-2of4.jar"));
    // the test retraining provider: the retraining panels need a job that retrains
    Files.copy(TestBundles.build(Files.createDirectories(dir.resolve("build")), "test.retraining", "1.0.0",
        "retraining", Map.of()), bundles.resolve("retraining.jar"));
    TestModels.residualCnn(3, false).save(dir.resolve("model.onnx"));
    Npy.write(Files.createDirectories(dir.resolve("calib")).resolve("image.npy"), TestModels.images(5, 48));
    Npy.write(Files.createDirectories(dir.resolve("eval")).resolve("image.npy"), TestModels.images(6, 12));
    Npy.write(dir.resolve("eval/labels.npy"), Tensor.ofInt64s(new long[] {12}, LongStream.range(0, 12).map(i -> i % 3)
        .toArray()));
    Files.writeString(dir.resolve("sparse.cfg"), """
        prune_config { n_out_of_m_pruner { l1_selective_prune { n_out_of_m_type: M4N2 } } }
        """);
    Files.writeString(dir.resolve("retrained.cfg"), """
        prune_config { n_out_of_m_pruner { l1_selective_prune { n_out_of_m_type: M4N2 } } }
        compactor_retrain { epochs: 2 learning_rate: 0.001 batch_size: 8 max_minutes: 1 seed: 1 }
        """);
    Files.writeString(dir.resolve("int8.cfg"), """
        retrain_data_quant_config { ulq_quantize { dst_type: INT8 } }
        retrain_weight_quant_config { arq_retrain { dst_type: INT8 } }
        """);
    try (Platform platform = Platform.start(new PlatformSettings(Optional.empty(), bundles, 0, "prom-group", "prom-1",
        1, Topics.DEFAULT, 1, new ArtifactRoots(List.of(dir)), Map.of(),
        new ChainSettings(16, Duration.ofMillis(200), dir.resolve("work"))));
        PrometheusServer prometheus = PrometheusServer.start(binary.get(), Files.createDirectories(dir.resolve("prom")),
            "127.0.0.1:" + platform.httpPort())) {
      await("the platform to be scraped", () -> hasFiniteValue(prometheus.query("up{job=\"compactor\"} == 1")));
      // each kind of job twice, a few scrapes apart: rates and increases need a series that grew after it appeared
      for (int round = 1; round <= 2; round++) {
        assertEquals(0, submit(platform, "ok-" + round, "sparse.cfg", true).code());
        Cli.Run retrained = submit(platform, "retrained-" + round, "retrained.cfg", true);
        assertEquals(0, retrained.code(), retrained.err());
        assertEquals(1, submit(platform, "failed-" + round, "int8.cfg", false).code());
        System.gc(); // the GC panels need a collection Micrometer was told of
        int seen = round;
        await("round " + round + " to be scraped", () -> hasFiniteValue(prometheus.query(
            "compactor_job_duration_seconds_count{outcome=\"completed\"} >= " + 2 * seen)));
        Thread.sleep(3000); // a few more scrapes after the change, so the rates see it
      }

      List<String> jobs = prometheus.labelValues("job", "compactor_providers");
      List<String> instances = prometheus.labelValues("instance", "compactor_providers{job=~\"" + jobs.get(0) + "\"}");
      assertEquals(List.of(PrometheusServer.JOB), jobs, "label_values(compactor_providers, job)");
      assertEquals(List.of("127.0.0.1:" + platform.httpPort()), instances, "label_values(..., instance)");
      Map<String, String> variables = new LinkedHashMap<>();
      variables.put("__rate_interval", "1m");
      variables.put("__interval", "15s");
      variables.put("__range", "1h");
      variables.put("job", jobs.get(0));
      variables.put("instance", "\\\\Q" + instances.get(0) + "\\\\E");
      List<String> queries = MetricNames.queries(DASHBOARD);
      assertTrue(queries.size() >= 30, DASHBOARD + " has only " + queries.size() + " queries");
      Map<String, String> empty = new LinkedHashMap<>();
      for (String q : queries) {
        String promql = substitute(q, variables);
        assertFalse(promql.contains("$"), "a variable left in " + promql);
        JsonNode result = prometheus.query(promql);
        if (!hasFiniteValue(result)) {
          empty.put(promql, result.toString());
        }
      }
      assertEquals(Map.of(), empty, "dashboard queries without data (query -> result)");
    }
  }

  private interface Condition {
    boolean holds() throws Exception;
  }

  private static void await(String what, Condition c) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!c.holds()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + WAIT + " waiting for " + what);
      }
      Thread.sleep(250);
    }
  }
}
