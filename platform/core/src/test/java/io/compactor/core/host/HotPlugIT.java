package io.compactor.core.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.api.ProviderMissingException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Drop, replace and delete real bundle jars in a running Felix host and watch the capabilities follow. */
@Tag("integration")
class HotPlugIT {
  @TempDir Path dir;
  @TempDir Path build;
  private OsgiHost host;
  private Watched watched;

  @BeforeEach
  void start() {
    host = OsgiHost.start(HostSettings.of(dir));
    watched = new Watched(host.watchedDirectory());
  }

  @AfterEach
  void stop() {
    host.close();
  }

  @Test
  void aDroppedBundleServesItsCapabilityUntilItsJarIsDeleted() throws Exception {
    watched.drop(BuiltIns.jar(BuiltIns.QUANT_INT8), BuiltIns.QUANT_INT8);

    ProviderEntry p = Await.until("quant.int8 to be provided", () -> host.registry().chosen("quant.int8"),
        Optional::isPresent).orElseThrow();
    assertEquals("io.compactor.bundle.quantint8", p.bundle());
    assertEquals("quantization", p.stage());
    assertEquals(List.of("Conv", "ConvTranspose", "Gather", "Gemm", "MatMul"), p.opTypes().stream().sorted().toList());
    assertEquals("only provider", p.reason());
    try (ProviderLease lease = host.registry().lease("quant.int8")) {
      assertEquals("quant.int8", lease.method().capability());
      assertEquals(p.version(), lease.version());
    }
    BundleEntry jar = Await.until("the jar to be listed active", () -> host.listing().bundle(BuiltIns.QUANT_INT8),
        b -> b.isPresent() && b.get().state() == BundleState.ACTIVE).orElseThrow();
    assertEquals(List.of("quant.int8"), jar.capabilities());
    assertEquals("", jar.problem());

    watched.delete(BuiltIns.QUANT_INT8);

    Await.until("quant.int8 to be unregistered", () -> host.registry().providers(), List::isEmpty);
    ProviderMissingException e = assertThrows(ProviderMissingException.class,
        () -> host.registry().lease("quant.int8"));
    assertEquals("quant.int8", e.capability());
    assertTrue(e.getMessage().startsWith("capability quant.int8: no bundle provides it"), e.getMessage());
    Await.until("the jar to leave the listing", host::listing, l -> l.bundles().isEmpty());
  }

  @Test
  void replacingAJarWithANewerVersionSwitchesNewLeasesToIt() throws Exception {
    Path v1 = TestBundles.build(build, "test.slow", "1.0.0", "slow", Map.of());
    Path v2 = TestBundles.build(build, "test.slow", "2.0.0", "slow", Map.of());
    watched.drop(v1, "slow.jar");
    ProviderEntry first = Await.until("version 1.0.0", () -> host.registry().chosen("sparsity.slow"),
        c -> c.isPresent() && c.get().version().equals("1.0.0")).orElseThrow();

    watched.drop(v2, "slow.jar");

    ProviderEntry second = Await.until("version 2.0.0", () -> host.registry().chosen("sparsity.slow"),
        c -> c.isPresent() && c.get().version().equals("2.0.0")).orElseThrow();
    assertNotEquals(first.serviceId(), second.serviceId(), "an update registers a new service");
    assertEquals(first.bundleId(), second.bundleId(), "an update keeps the bundle");
    try (ProviderLease lease = host.registry().lease("sparsity.slow")) {
      assertEquals("2.0.0", lease.version());
      assertEquals("test.slow", lease.provider());
    }
    Await.until("one provider left", () -> host.registry().providers(), l -> l.size() == 1);
  }

  @Test
  void theHighestRankingIsChosenAndTheOthersAreListedWithTheReason() throws Exception {
    watched.drop(BuiltIns.example(), "example-magnitude-2of4.jar");
    ProviderEntry example = Await.until("the example to provide sparsity.2of4",
        () -> host.registry().chosen("sparsity.2of4"), Optional::isPresent).orElseThrow();
    assertEquals("io.compactor.bundle.magnitude2of4", example.bundle());
    assertEquals(-10, example.ranking());

    watched.drop(TestBundles.build(build, "test.twoofour", "1.0.0", "twoofour", Map.of()), "twoofour.jar");

    ProviderEntry chosen = Await.until("the ranking-0 provider to win", () -> host.registry().chosen("sparsity.2of4"),
        c -> c.isPresent() && c.get().bundle().equals("test.twoofour")).orElseThrow();
    assertEquals("highest ranking: 0 > -10 of io.compactor.bundle.magnitude2of4 " + example.version(),
        chosen.reason());
    ProviderEntry standby = host.listing().providers().stream()
        .filter(p -> p.bundle().equals("io.compactor.bundle.magnitude2of4")).findFirst().orElseThrow();
    assertEquals(ProviderState.STANDBY, standby.state());
    assertEquals("outranked by test.twoofour 1.0.0: ranking -10 < 0", standby.reason());

    watched.delete("twoofour.jar");

    Await.until("the example to be chosen again", () -> host.registry().chosen("sparsity.2of4"),
        c -> c.isPresent() && c.get().bundle().equals("io.compactor.bundle.magnitude2of4"));
  }

  @Test
  void withEqualRankingTheNewerBundleVersionIsChosen() throws Exception {
    watched.drop(TestBundles.build(build, "test.slow", "1.0.0", "slow", Map.of()), "slow-1.jar");
    watched.drop(TestBundles.build(build, "test.slow", "1.2.0", "slow", Map.of()), "slow-1.2.jar");

    List<ProviderEntry> providers = Await.until("both versions registered", () -> host.registry().providers(),
        l -> l.size() == 2);

    assertEquals("1.2.0", providers.get(0).version());
    assertEquals(ProviderState.CHOSEN, providers.get(0).state());
    assertEquals("same ranking 0, newest version: 1.2.0 > 1.0.0 of test.slow", providers.get(0).reason());
    assertEquals(ProviderState.STANDBY, providers.get(1).state());
    assertEquals("older than test.slow 1.2.0: same ranking 0, version 1.0.0 < 1.2.0", providers.get(1).reason());
  }

  @Test
  void aCopyOfAJarIsReportedAndLeftAloneUntilTheOriginalIsGone() throws Exception {
    Path jar = TestBundles.build(build, "test.slow", "1.0.0", "slow", Map.of());
    watched.drop(jar, "slow.jar");
    ProviderEntry original = Await.until("the original to provide sparsity.slow",
        () -> host.registry().chosen("sparsity.slow"), Optional::isPresent).orElseThrow();

    watched.drop(jar, "slow-copy.jar");

    BundleEntry copy = Await.until("the copy to be reported", () -> host.listing().bundle("slow-copy.jar"),
        b -> b.isPresent() && b.get().state() == BundleState.REJECTED).orElseThrow();
    assertTrue(copy.problem().startsWith("a copy of slow.jar (same symbolic name and version), not installed"),
        copy.problem());

    watched.delete("slow-copy.jar");
    // FileInstall handles changes scan by scan: once a jar dropped after the deletion is active, it has seen it
    watched.drop(BuiltIns.jar(BuiltIns.QUANT_INT8), BuiltIns.QUANT_INT8);
    Await.until("quant.int8 to be provided", () -> host.registry().chosen("quant.int8"), Optional::isPresent);

    ProviderEntry still = host.registry().chosen("sparsity.slow").orElseThrow();
    assertEquals(original.serviceId(), still.serviceId(), "the original's bundle was left alone");

    watched.drop(jar, "slow-copy.jar");
    Await.until("the copy to be reported again", () -> host.listing().bundle("slow-copy.jar"),
        b -> b.isPresent() && b.get().state() == BundleState.REJECTED);
    watched.delete("slow.jar");

    ProviderEntry copyServing = Await.until("the copy to take over", () -> host.registry().chosen("sparsity.slow"),
        c -> c.isPresent() && c.get().bundleId() != original.bundleId()).orElseThrow();
    assertEquals("1.0.0", copyServing.version());
    BundleEntry listed = Await.until("the copy listed active", () -> host.listing().bundle("slow-copy.jar"),
        b -> b.isPresent() && b.get().state() == BundleState.ACTIVE).orElseThrow();
    assertEquals(List.of("sparsity.slow"), listed.capabilities());
  }

  @Test
  void bundlesAlreadyInTheDirectoryAreServingWhenTheHostHasSettled() throws Exception {
    host.close();
    watched.drop(BuiltIns.jar(BuiltIns.QUANT_INT8), BuiltIns.QUANT_INT8);
    watched.drop(BuiltIns.jar(BuiltIns.PRUNE_FILTER), BuiltIns.PRUNE_FILTER);
    host = OsgiHost.start(HostSettings.of(dir));

    BundleListing listing = host.awaitSettled(Await.DEFAULT);

    assertTrue(listing.settled(), listing.toString());
    assertTrue(listing.chosen("quant.int8").isPresent(), listing.toString());
    assertTrue(listing.chosen("sparsity.filter").isPresent(), listing.toString());
    assertEquals(List.of(), listing.problems());
  }
}
