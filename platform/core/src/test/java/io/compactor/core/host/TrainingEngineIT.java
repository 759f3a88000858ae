package io.compactor.core.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * The real retraining bundle jar in a real Felix host: it resolves against the host's DJL exports, sees the host's
 * DJL classes (one class loader for libtorch's JNI), and gets the PyTorch engine the host loads on first use.
 */
@Tag("integration")
class TrainingEngineIT {
  private static final String RETRAIN = "bundle-retrain-distill.jar";
  @TempDir Path dir;

  @Test
  void theRetrainingBundleResolvesAndTrainsOnTheHostsEngine() throws Exception {
    try (OsgiHost host = OsgiHost.start(HostSettings.of(dir))) {
      new Watched(host.watchedDirectory()).drop(BuiltIns.retrain(), RETRAIN);
      BundleEntry entry = Await.until("the retraining bundle active", Duration.ofSeconds(60),
          () -> host.listing().bundle(RETRAIN), e -> e.isPresent() && e.get().state() == BundleState.ACTIVE).orElseThrow();
      assertEquals("io.compactor.bundle.retraindistill", entry.symbolicName());

      BundleContext system = host.systemContext();
      Bundle bundle = Arrays.stream(system.getBundles())
          .filter(b -> "io.compactor.bundle.retraindistill".equals(b.getSymbolicName())).findFirst().orElseThrow();
      assertSame(ai.djl.ndarray.NDArray.class, bundle.loadClass("ai.djl.ndarray.NDArray"), "the bundle must see the host's DJL");
      Class<?> registry = bundle.loadClass("io.compactor.bundle.retraindistill.program.ConverterRegistry");
      Method standard = registry.getMethod("standard");
      assertNotNull(standard.invoke(null));

      ServiceReference<Engine> ref = system.getServiceReference(Engine.class);
      assertNotNull(ref, "the host offers DJL's engine as a service");
      assertEquals("PyTorch", ref.getProperty("engine"));
      Engine engine = bundle.getBundleContext().getService(ref);
      assertEquals("PyTorch", engine.getEngineName());
      assertEquals("true", System.getProperty("ai.djl.offline"));
      assertEquals("1", System.getProperty("ai.djl.pytorch.num_interop_threads"));
      try (NDManager m = engine.newBaseManager()) {
        assertEquals(6f, m.create(new float[] {1, 2, 3}).sum().getFloat());
      }
      bundle.getBundleContext().ungetService(ref);
    }
  }
}
