package io.compactor.core.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.api.ProviderMissingException;
import io.compactor.api.StepResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A step that holds a lease keeps its provider while the jar is deleted or replaced: it finishes on the old
 * bundle (whose classes still load), and the next lease sees the change.
 */
@Tag("integration")
class InFlightIT {
  private static final String SLOW = "sparsity.slow";
  @TempDir Path dir;
  @TempDir Path build;
  @TempDir Path work;
  private final ExecutorService steps = Executors.newSingleThreadExecutor();
  private OsgiHost host;
  private Watched watched;
  private Path v1;

  @BeforeEach
  void start() throws Exception {
    host = OsgiHost.start(HostSettings.of(dir));
    watched = new Watched(host.watchedDirectory());
    v1 = TestBundles.build(build, "test.slow", "1.0.0", "slow", Map.of());
    watched.drop(v1, "slow.jar");
    Await.until("version 1.0.0", () -> host.registry().chosen(SLOW), Optional::isPresent);
  }

  @AfterEach
  void stop() {
    steps.shutdownNow();
    host.close();
  }

  @Test
  void aStepOnADeletedJarFinishesOnTheOldBundleAndTheNextLeaseFindsNone() throws Exception {
    GatedContext context = new GatedContext(work);
    Future<StepResult> step = runLeased(context);
    context.awaitStarted(Await.DEFAULT);

    watched.delete("slow.jar");

    ProviderEntry draining = Await.until("the provider to drain", () -> host.registry().providers(),
        l -> l.size() == 1 && l.get(0).state() == ProviderState.DRAINING).get(0);
    assertEquals(1, draining.leases());
    ProviderMissingException next = assertThrows(ProviderMissingException.class,
        () -> host.registry().lease(SLOW));
    assertTrue(next.getMessage().contains("test.slow 1.0.0 is draining"), next.getMessage());

    context.release();

    StepResult result = step.get(20, TimeUnit.SECONDS);
    assertEquals("1.0.0", result.summary().get("version"));
    assertEquals("loaded after release", result.summary().get("late"), "the old bundle's classes still loaded");
    Await.until("the bundle to be uninstalled", host::listing, l -> l.bundles().isEmpty() && l.providers().isEmpty());
    assertEquals(0, host.registry().openLeases());
  }

  @Test
  void aStepOnAReplacedJarFinishesOnTheOldVersionAndTheNextLeaseGetsTheNew() throws Exception {
    GatedContext context = new GatedContext(work);
    Future<StepResult> step = runLeased(context);
    context.awaitStarted(Await.DEFAULT);

    watched.drop(TestBundles.build(build, "test.slow", "2.0.0", "slow", Map.of()), "slow.jar");

    Await.until("the old version to drain", () -> host.registry().providers(),
        l -> !l.isEmpty() && l.get(0).state() == ProviderState.DRAINING);
    assertThrows(ProviderMissingException.class, () -> host.registry().lease(SLOW));

    context.release();

    assertEquals("1.0.0", step.get(20, TimeUnit.SECONDS).summary().get("version"));
    try (ProviderLease next = host.registry().lease(SLOW, Await.DEFAULT)) {
      assertEquals("2.0.0", next.version());
      GatedContext second = new GatedContext(work);
      second.release();
      assertEquals("2.0.0", next.method().apply(second).summary().get("version"));
    }
  }

  @Test
  void theDrainTimeoutBoundsHowLongAStuckStepHoldsTheBundle() throws Exception {
    host.close();
    host = OsgiHost.start(HostSettings.of(dir).withDrainTimeout(Duration.ofMillis(300)));
    Await.until("version 1.0.0", () -> host.registry().chosen(SLOW), Optional::isPresent);
    GatedContext context = new GatedContext(work);
    Future<?> step = runLeased(context);
    context.awaitStarted(Await.DEFAULT);

    watched.delete("slow.jar");

    Await.until("the bundle to be uninstalled despite the running step", host::listing,
        l -> l.bundles().isEmpty());
    context.release();
    try {
      step.get(20, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      // past the drain timeout the step runs on an uninstalled bundle; loading a new class may fail
    }
    assertEquals(0, host.registry().openLeases());
  }

  private Future<StepResult> runLeased(GatedContext context) {
    return steps.submit(() -> {
      try (ProviderLease lease = host.registry().lease(SLOW)) {
        return lease.method().apply(context);
      }
    });
  }
}
