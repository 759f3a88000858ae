package io.compactor.core.host;

import ai.djl.engine.Engine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Hashtable;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceFactory;
import org.osgi.framework.ServiceRegistration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DJL's PyTorch engine, owned by the host: libtorch's native libraries can be loaded once per process and
 * their JNI classes must come from one class loader, so the host loads them, from its own class path, and
 * bundles use DJL's API packages the host exports. The engine is offered to bundles as the service
 * {@code ai.djl.engine.Engine} (property {@code engine=PyTorch}); libtorch is loaded when a bundle first gets
 * it (~1 s, ~5 s once per machine while DJL extracts the natives), not at every host start, so commands that
 * never train pay nothing.
 *
 * <p>DJL finds engines through the thread context class loader: loading sets it to the host's class loader.
 * Settings the host fixes before DJL reads them (each only when not set on the command line): offline (libtorch
 * from the {@code pytorch-native-cpu} jar, never downloaded), no usage tracking, one inter-op thread and as many
 * intra-op threads as cores, so libtorch and ONNX Runtime, which run in turn, do not oversubscribe them.
 */
final class TrainingEngine implements ServiceFactory<Engine> {
  /** DJL's name of the engine. */
  static final String PYTORCH = "PyTorch";
  private static final Logger LOG = LoggerFactory.getLogger(TrainingEngine.class);
  /** oneDNN reads its instruction-set cap from this variable when libtorch loads; Java cannot set it. */
  private static final String ONEDNN_ISA = "ONEDNN_MAX_CPU_ISA";
  /** This host's handle; DJL itself keeps the one engine of the process. */
  private Engine engine;

  private TrainingEngine() {}

  /** Sets DJL's system properties the host owns, unless already set. */
  static void configure() {
    setIfAbsent("ai.djl.offline", "true");
    setIfAbsent("OPT_OUT_TRACKING", "true");
    setIfAbsent("ai.djl.pytorch.num_interop_threads", "1");
    setIfAbsent("ai.djl.pytorch.num_threads", Integer.toString(Runtime.getRuntime().availableProcessors()));
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }

  /** Registers the engine service on the system bundle; nothing is loaded yet. */
  static ServiceRegistration<Engine> register(BundleContext system) {
    Hashtable<String, Object> properties = new Hashtable<>();
    properties.put("engine", PYTORCH);
    return system.registerService(Engine.class, new TrainingEngine(), properties);
  }

  /**
   * @return the PyTorch engine, loading libtorch on the first call
   * @throws HostException when libtorch cannot be loaded
   */
  synchronized Engine pytorch() {
    if (engine != null) {
      return engine;
    }
    configure();
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    long t0 = System.nanoTime();
    try {
      thread.setContextClassLoader(TrainingEngine.class.getClassLoader());
      engine = Engine.getEngine(PYTORCH);
    } catch (RuntimeException | LinkageError e) {
      throw new HostException("host: DJL's PyTorch engine did not load: " + e.getMessage() + "; check that "
          + "ai.djl.pytorch:pytorch-native-cpu (classifier linux-x86_64) is in lib/ and that "
          + System.getProperty("user.home") + "/.djl.ai (or DJL_CACHE_DIR) is writable", e);
    } finally {
      thread.setContextClassLoader(previous);
    }
    LOG.info("libtorch {} loaded in {} ms ({} intra-op threads)", engine.getVersion(),
        (System.nanoTime() - t0) / 1_000_000, System.getProperty("ai.djl.pytorch.num_threads"));
    if (System.getenv(ONEDNN_ISA) == null && avx512()) {
      LOG.warn("this CPU has AVX-512, on which libtorch's oneDNN kernels retrain non-deterministically and can "
          + "produce NaN gradients; start Compactor with the environment variable {}=AVX2 (README, Retraining)",
          ONEDNN_ISA);
    }
    return engine;
  }

  /** @return whether /proc/cpuinfo lists AVX-512 (false where it cannot be read) */
  private static boolean avx512() {
    try {
      return Files.readString(Path.of("/proc/cpuinfo")).contains(" avx512f");
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  @Override
  public Engine getService(Bundle bundle, ServiceRegistration<Engine> registration) {
    return pytorch();
  }

  @Override
  public void ungetService(Bundle bundle, ServiceRegistration<Engine> registration, Engine service) {
    // the engine lives as long as the process: native libraries cannot be unloaded
  }
}
