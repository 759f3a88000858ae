package io.compactor.core.kafka;

import io.compactor.core.job.ArtifactRoots;
import io.compactor.core.job.JobBoard;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One coordinator in a JVM of its own, for tests that freeze it (SIGSTOP) or kill it (SIGKILL) like an
 * operator would: its jobs walk {@link LayerLoopExecutor} layers and mark their outputs with the instance id.
 *
 * <pre>
 * InstanceMain BOOTSTRAP JOBS_TOPIC GROUP INSTANCE ROOT LAYERS MILLIS_PER_LAYER LEASE_MS SESSION_MS
 * </pre>
 */
final class InstanceMain {
  private InstanceMain() {}

  public static void main(String[] args) throws InterruptedException {
    Topics topics = new Topics(args[1], "events-" + args[1], "dlt-" + args[1]);
    LayerLoopExecutor executor = new LayerLoopExecutor(Integer.parseInt(args[5]), Long.parseLong(args[6]));
    executor.mark = " by " + args[3];
    CoordinatorSettings s = new CoordinatorSettings(args[0], args[2], args[3], 1, topics,
        new ArtifactRoots(List.of(Path.of(args[4]))), Map.of(), Duration.ofMillis(Long.parseLong(args[7])),
        Duration.ofMillis(Long.parseLong(args[8])));
    Coordinator c = new Coordinator(s, executor, new SimpleMeterRegistry(), new JobBoard(100));
    c.start();
    System.out.println("instance " + args[3] + " started");
    Thread.currentThread().join(); // until killed
  }
}
