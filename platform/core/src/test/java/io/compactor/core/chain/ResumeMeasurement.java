package io.compactor.core.chain;

import io.compactor.core.artifact.ArtifactStores;
import io.compactor.core.host.HostSettings;
import io.compactor.core.host.OsgiHost;
import io.compactor.core.job.AttemptOutputs;
import io.compactor.core.job.Cancellation;
import io.compactor.core.job.EventType;
import io.compactor.core.job.JobEvent;
import io.compactor.core.job.JobRequest;
import io.compactor.core.metrics.StepMetrics;
import io.compactor.onnx.fixtures.TestModels;
import io.compactor.onnx.npy.Npy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * A benchmark, not a test: what resuming after a finished step saves. A 2:4 + INT8 job on the residual CNN runs
 * once from nothing, then again as a second attempt after a first one died as its INT8 step started (a cancel
 * stands in for the kill); prints both wall times and the 2:4 step's time, median of 5. docs/benchmarks.md
 * ("The platform itself") gives the command.
 *
 * <pre>
 * ResumeMeasurement [BUNDLES_DIR]      the directory holding the built-in bundle jars; default bundles
 * </pre>
 */
final class ResumeMeasurement {
  private static final int ROUNDS = 5;
  private static final String CONFIG = """
      batch_num: 1
      prune_config { n_out_of_m_pruner { l1_selective_prune { n_out_of_m_type: M4N2 update_freq: 0 } } }
      retrain_data_quant_config { ulq_quantize { dst_type: INT8 } }
      retrain_weight_quant_config { arq_retrain { dst_type: INT8 } }
      """;

  private ResumeMeasurement() {}

  public static void main(String[] args) throws Exception {
    Path builtIns = Path.of(args.length > 0 ? args[0] : "bundles");
    Path dir = Files.createTempDirectory("resume");
    Path bundles = Files.createDirectories(dir.resolve("bundles"));
    for (String jar : List.of("bundle-prune-2of4.jar", "bundle-quant-int8.jar")) {
      Files.copy(builtIns.resolve(jar), bundles.resolve(jar));
    }
    TestModels.residualCnn(7, true).save(dir.resolve("model.onnx"));
    Files.createDirectories(dir.resolve("calib"));
    Npy.write(dir.resolve("calib/image.npy"), TestModels.images(11, 256));
    Files.writeString(dir.resolve("job.cfg"), CONFIG);
    try (OsgiHost host = OsgiHost.start(HostSettings.of(bundles))) {
      host.awaitSettled(Duration.ofSeconds(30));
      while (host.registry().chosen("quant.int8").isEmpty() || host.registry().chosen("sparsity.2of4").isEmpty()) {
        Thread.sleep(50);
      }
      ChainExecutor chain = new ChainExecutor(host.registry(),
          new ChainSettings(16, Duration.ofSeconds(5), dir.resolve("work")), new StepMetrics(new SimpleMeterRegistry()));
      List<Long> fresh = new ArrayList<>();
      List<Long> resumed = new ArrayList<>();
      List<Long> sparsityStep = new ArrayList<>();
      for (int round = 0; round <= ROUNDS; round++) {
        AttemptOutputs once = attempt(dir, "fresh-" + round, "a");
        long start = System.nanoTime();
        List<JobEvent> events = Collections.synchronizedList(new ArrayList<>());
        require(chain.execute(request(dir, "fresh-" + round, once), events::add, new Cancellation(),
            Optional.of(once.checkpoints())), EventType.COMPLETED);
        long freshMs = (System.nanoTime() - start) / 1_000_000;
        long stepMs = events.stream().filter(e -> e.type() == EventType.STEP_COMPLETED
            && "sparsity.2of4".equals(e.data().get("capability"))).mapToLong(e -> ((Number) e.data().get("durationMs"))
            .longValue()).sum();
        AttemptOutputs first = attempt(dir, "resumed-" + round, "first");
        Cancellation dies = new Cancellation();
        require(chain.execute(request(dir, "resumed-" + round, first), e -> {
          if (e.type() == EventType.STEP_STARTED && ((Number) e.data().get("index")).intValue() == 2) {
            dies.cancel();
          }
        }, dies, Optional.of(first.checkpoints())), EventType.CANCELLED);
        AttemptOutputs second = attempt(dir, "resumed-" + round, "second");
        start = System.nanoTime();
        require(chain.execute(request(dir, "resumed-" + round, second), e -> { }, new Cancellation(),
            Optional.of(second.checkpoints())), EventType.COMPLETED);
        long resumedMs = (System.nanoTime() - start) / 1_000_000;
        if (round > 0) { // round 0 warms the JIT and ONNX Runtime up
          fresh.add(freshMs);
          resumed.add(resumedMs);
          sparsityStep.add(stepMs);
        }
      }
      System.out.printf("2:4 + INT8 on the residual CNN, 256 calibration images, median of %d: whole job %d ms "
          + "(its 2:4 step %d ms); second attempt resuming after the 2:4 step %d ms: %d ms saved%n", ROUNDS,
          median(fresh), median(sparsityStep), median(resumed), median(fresh) - median(resumed));
    }
  }

  /** @return where an attempt of job {@code id} writes and saves its steps, as the coordinator's attempts do */
  private static AttemptOutputs attempt(Path dir, String id, String attempt) {
    return new AttemptOutputs(ArtifactStores.localOnly(), dir.resolve("out-" + id).toString(), attempt);
  }

  private static JobRequest request(Path dir, String id, AttemptOutputs attempt) {
    return new JobRequest(id, dir.resolve("model.onnx").toString(), dir.resolve("job.cfg").toString(),
        Optional.of(dir.resolve("calib").toString()), Optional.empty(), attempt.staged());
  }

  private static void require(JobEvent end, EventType type) {
    if (end.type() != type) {
      throw new IllegalStateException("expected " + type.id() + ", got " + end.type().id() + ": " + end.data());
    }
  }

  private static long median(List<Long> values) {
    List<Long> sorted = values.stream().sorted().toList();
    return sorted.get(sorted.size() / 2);
  }
}
