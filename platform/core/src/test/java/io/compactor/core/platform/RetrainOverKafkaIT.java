package io.compactor.core.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.compactor.core.chain.ChainSettings;
import io.compactor.core.cli.Cli;
import io.compactor.core.job.ArtifactRoots;
import io.compactor.core.kafka.Topics;
import io.compactor.onnx.fixtures.TestModels;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.npy.Npy;
import io.compactor.onnx.tensor.Tensor;
import io.compactor.retrain.NmPattern;
import io.compactor.retrain.NmPatternCheck;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retraining for real, as a user runs it: embedded Kafka, the real 2:4, INT8 and retraining bundle jars in
 * Felix (libtorch through the host's DJL), two jobs submitted at once with {@code compactor submit --wait}.
 * Both complete with a {@code retraining} section, the deploy models keep the 2:4 pattern on their int8
 * weights, the lock wait of each reaches its report and the metrics, and the figures are printed
 * (docs/benchmarks.md, Retraining). A third job, with NaN in its training data, fails naming the file and the
 * sample, and the platform stays ready. That trainings take turns is {@code DistillTrainerTest}'s to prove;
 * here the compression steps before them may or may not make them overlap.
 */
@Tag("integration")
class RetrainOverKafkaIT {
  private static final String CONFIG = """
      batch_num: 1
      prune_config { n_out_of_m_pruner { l1_selective_prune { n_out_of_m_type: M4N2 update_freq: 0 } } }
      retrain_data_quant_config { ulq_quantize { dst_type: INT8 } }
      retrain_weight_quant_config { arq_retrain { dst_type: INT8 } }
      compactor_retrain { epochs: 3 learning_rate: 0.001 batch_size: 16 max_minutes: 3 seed: 1
                          held_out_fraction: 0.2 train: ALL on_unsupported: FAIL }
      """;
  @TempDir Path dir;

  @Test
  void twoRetrainingJobsThroughKafkaCompleteTakingTurnsAndKeepTheirMasks() throws Exception {
    Path bundles = Files.createDirectories(dir.resolve("bundles"));
    Path built = Path.of(System.getProperty("compactor.it.bundles"));
    for (String jar : List.of("bundle-prune-2of4.jar", "bundle-quant-int8.jar")) {
      Files.copy(built.resolve(jar), bundles.resolve(jar));
    }
    Files.copy(Path.of(System.getProperty("compactor.it.retrain")), bundles.resolve("bundle-retrain-distill.jar"));
    TestModels.residualCnn(7, false).save(dir.resolve("model.onnx"));
    Npy.write(Files.createDirectories(dir.resolve("calib")).resolve("image.npy"), TestModels.images(11, 64));
    Npy.write(Files.createDirectories(dir.resolve("train")).resolve("image.npy"), TestModels.images(13, 160));
    Npy.write(Files.createDirectories(dir.resolve("eval")).resolve("image.npy"), TestModels.images(17, 64));
    Files.writeString(dir.resolve("retrain.cfg"), CONFIG);

    try (Platform platform = Platform.start(new PlatformSettings(Optional.empty(), bundles, 0, "it-retrain", "it-r1",
        2, Topics.DEFAULT, 2, new ArtifactRoots(List.of(dir)), Map.of(),
        new ChainSettings(16, Duration.ofMillis(200), dir.resolve("work"))))) {
      awaitProvider(platform, "retrain.distill");
      List<String> ids = onBothPartitions();
      ExecutorService pool = Executors.newFixedThreadPool(2);
      List<Future<Cli.Run>> runs = new ArrayList<>();
      try {
        for (String id : ids) {
          runs.add(pool.submit(() -> Cli.run("submit", "--bootstrap-servers", platform.bootstrapServers(),
              "--model", dir.resolve("model.onnx").toString(), "--config", dir.resolve("retrain.cfg").toString(),
              "--calibration", dir.resolve("calib").toString(), "--train", dir.resolve("train").toString(),
              "--eval", dir.resolve("eval").toString(), "--output", dir.resolve("out-" + id).toString(),
              "--job-id", id, "--wait", "--timeout", "PT10M")));
        }
        for (Future<Cli.Run> f : runs) {
          Cli.Run r = f.get();
          assertEquals(0, r.code(), r.out() + r.err());
          assertTrue(r.out().contains("retrain.distill on io.compactor.bundle.retraindistill"), r.out());
        }
      } finally {
        pool.shutdownNow();
      }

      double[] waits = new double[2];
      double[] seconds = new double[2];
      for (int i = 0; i < 2; i++) {
        Path out = dir.resolve("out-" + ids.get(i));
        JsonNode retraining = new ObjectMapper().readTree(out.resolve("report.json").toFile()).path("retraining");
        assertTrue(retraining.path("epochs").asInt() >= 1, retraining.toString());
        assertTrue(retraining.path("after").asDouble() >= retraining.path("before").asDouble(),
            "early stopping never returns a worse held-out fidelity: " + retraining);
        waits[i] = retraining.path("lockWaitSeconds").asDouble(-1);
        seconds[i] = retraining.path("seconds").asDouble();
        assertTrue(waits[i] >= 0, retraining.toString());
        OnnxModel deploy = OnnxModel.load(out.resolve("model.deploy.onnx"));
        NmPatternCheck.require(deploy, List.of("conv2", "fc"), NmPattern.M4N2);
      }
      float[] nan = TestModels.images(19, 8).floats();
      nan[3 * 64] = Float.NaN;
      Path bad = Files.createDirectories(dir.resolve("bad-train"));
      Npy.write(bad.resolve("image.npy"), Tensor.ofFloats(new long[] {8, 1, 8, 8}, nan));
      Cli.Run refused = Cli.run("submit", "--bootstrap-servers", platform.bootstrapServers(), "--model",
          dir.resolve("model.onnx").toString(), "--config", dir.resolve("retrain.cfg").toString(), "--calibration",
          dir.resolve("calib").toString(), "--train", bad.toString(), "--output", dir.resolve("out-bad").toString(),
          "--job-id", "bad", "--wait", "--timeout", "PT2M");
      assertEquals(1, refused.code(), refused.out() + refused.err());
      assertTrue(refused.out().contains(bad.resolve("image.npy") + ": holds NaN at sample 3"), refused.out());

      String metrics = get(platform, "/metrics");
      assertTrue(metrics.contains("compactor_retrain_lock_wait_seconds_count 2"), metrics);
      assertTrue(metrics.contains("compactor_retrain_duration_seconds_count 2"), metrics);
      assertTrue(get(platform, "/health/ready").startsWith("200"), "the platform stays ready");
      System.out.printf("retraining over Kafka, two jobs at once: training %.2f s and %.2f s, lock wait %.2f s and "
          + "%.2f s%n", seconds[0], seconds[1], waits[0], waits[1]);
    }
  }

  /**
   * @return two job ids whose records land on different partitions of the two-partition jobs topic (Kafka's
   *     default partitioner): a job's partition stays paused while it runs, so only then do the two run at once
   */
  private static List<String> onBothPartitions() {
    String[] byPartition = new String[2];
    for (int i = 1; byPartition[0] == null || byPartition[1] == null; i++) {
      String id = "r" + i;
      int p = Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % 2;
      if (byPartition[p] == null) {
        byPartition[p] = id;
      }
    }
    return List.of(byPartition);
  }

  private static void awaitProvider(Platform platform, String capability) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (platform.host().registry().chosen(capability).isEmpty()) {
      assertTrue(System.nanoTime() < deadline, capability + " never got a provider");
      Thread.sleep(100);
    }
  }

  private static String get(Platform platform, String path) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:"
        + platform.httpPort() + path)).build(), HttpResponse.BodyHandlers.ofString());
    return r.statusCode() + " " + r.body();
  }
}
