package io.compactor.core.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.api.ProviderMissingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Jars that cannot serve are listed with the reason, and the host keeps serving the good ones. */
@Tag("integration")
class BrokenBundlesIT {
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
  void eachBrokenJarIsListedWithItsReasonWhileTheGoodOneServes() throws Exception {
    Path garbage = Files.writeString(build.resolve("garbage"), "this is not a zip file");
    watched.drop(garbage, "broken.jar");
    watched.drop(TestBundles.plainJar(build, "library.jar"), "library.jar");
    watched.drop(TestBundles.build(build, "test.missing", "1.0.0", "missing",
        Map.of("Import-Package", "com.example.missing;version=\"[1.0,2)\",*")), "missing.jar");
    watched.drop(TestBundles.build(build, "test.activator", "1.0.0", "activator",
        Map.of("Bundle-Activator", TestBundles.PACKAGE + "activator.FailingActivator")), "activator.jar");
    watched.drop(TestBundles.build(build, "test.failing", "1.0.0", "failing", Map.of()), "failing.jar");
    watched.drop(BuiltIns.jar(BuiltIns.QUANT_INT8), BuiltIns.QUANT_INT8);

    BundleListing listing = Await.until("all six jars to settle", host::listing,
        l -> l.bundles().size() == 6 && l.settled());

    assertProblem(listing, "broken.jar", BundleState.REJECTED, "not a jar file (");
    assertProblem(listing, "library.jar", BundleState.REJECTED,
        "not an OSGi bundle: its manifest has no Bundle-SymbolicName");
    assertProblem(listing, "missing.jar", BundleState.INSTALLED,
        "unresolved, missing import com.example.missing (version>=1.0.0)");
    assertProblem(listing, "activator.jar", BundleState.RESOLVED, "activator fails on purpose");
    assertProblem(listing, "failing.jar", BundleState.ACTIVE,
        "sparsity.failing: the component did not activate: component "
            + TestBundles.PACKAGE + "failing.FailingMethod failed to activate");
    assertProblem(listing, "failing.jar", BundleState.ACTIVE, "activation fails on purpose");
    assertEquals(5, listing.problems().size(), listing.problems().toString());

    ProviderEntry failed = listing.providers().stream().filter(p -> p.capability().equals("sparsity.failing"))
        .findFirst().orElseThrow();
    assertEquals(ProviderState.FAILED, failed.state());
    ProviderMissingException e = assertThrows(ProviderMissingException.class,
        () -> host.registry().lease("sparsity.failing"));
    assertTrue(e.getMessage().contains("test.failing 1.0.0 is failed"), e.getMessage());

    try (ProviderLease lease = host.registry().lease("quant.int8")) {
      assertEquals("io.compactor.bundle.quantint8", lease.provider());
    }
    watched.drop(TestBundles.build(build, "test.slow", "1.0.0", "slow", Map.of()), "slow.jar");
    Await.until("a new bundle to be served after the broken ones", () -> host.registry().chosen("sparsity.slow"),
        Optional::isPresent);
  }

  @Test
  void fixingABrokenJarInPlaceMakesItServe() throws Exception {
    watched.drop(Files.writeString(build.resolve("garbage"), "not a zip"), "later.jar");
    Await.until("the jar to be rejected", host::listing, l -> l.bundle("later.jar")
        .map(b -> b.state() == BundleState.REJECTED).orElse(false));

    watched.drop(BuiltIns.jar(BuiltIns.PRUNE_FILTER), "later.jar");

    Await.until("sparsity.filter", () -> host.registry().chosen("sparsity.filter"), Optional::isPresent);
    BundleListing listing = Await.until("the fixed jar to be active", host::listing, BundleListing::settled);
    assertEquals(BundleState.ACTIVE, listing.bundle("later.jar").orElseThrow().state());
    assertEquals(List.of(), listing.problems());
  }

  @Test
  void aProviderWhosePropertiesDisagreeWithItsMethodsIsNeverChosen() throws Exception {
    watched.drop(TestBundles.build(build, "test.mismatch", "1.0.0", "mismatch", Map.of()), "mismatch.jar");

    ProviderEntry p = Await.until("the provider to be listed", () -> host.registry().providers(),
        l -> !l.isEmpty()).get(0);

    assertEquals(ProviderState.FAILED, p.state());
    assertEquals("service properties disagree with the method: capability() returns 'sparsity.other' but "
        + "compactor.capability is 'sparsity.mismatch'; stage() returns quantization but compactor.stage is "
        + "sparsity; make them agree (CompressionMethodContract checks this in the bundle's tests)", p.reason());
    assertThrows(ProviderMissingException.class, () -> host.registry().lease("sparsity.mismatch"));
    assertThrows(ProviderMissingException.class, () -> host.registry().lease("sparsity.other"));
  }

  private static void assertProblem(BundleListing listing, String file, BundleState state, String problem) {
    BundleEntry entry = listing.bundle(file).orElseThrow(() -> new AssertionError(file + " not listed: " + listing));
    assertEquals(state, entry.state(), entry.toString());
    assertTrue(entry.problem().contains(problem), "expected '" + problem + "' in: " + entry.problem());
  }
}
