package io.compactor.core.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded OSGi runtime: Felix with SCR, ConfigAdmin and FileInstall, which installs, updates and
 * uninstalls the bundle jars of one watched directory as they appear, change and disappear. The platform
 * packages, ONNX Runtime and DJL's API are shared with bundles from the host classpath; DJL's PyTorch engine is
 * a host service, loaded on first use ({@link TrainingEngine}). Close it to stop the framework;
 * its storage lives in a fresh temporary directory that is deleted on close.
 */
public final class OsgiHost implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OsgiHost.class);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration SETTLE_POLL = Duration.ofMillis(20);
  private static final Duration AUDIT_PERIOD = Duration.ofSeconds(1);
  private final Path watched;
  private final Framework framework;
  private final Path storage;
  private final BundleProblems problems;
  private final CapabilityRegistry registry;
  private final BundleInspector inspector;
  private final ProblemAudit audit;
  private final Duration startTime;
  private final AtomicBoolean closed = new AtomicBoolean();
  private Thread shutdownHook;

  private OsgiHost(Path watched, Framework framework, Path storage, BundleProblems problems,
      CapabilityRegistry registry, BundleInspector inspector, Duration startTime) {
    this.watched = watched;
    this.framework = framework;
    this.storage = storage;
    this.problems = problems;
    this.registry = registry;
    this.inspector = inspector;
    this.startTime = startTime;
    this.audit = new ProblemAudit(this::listing, inspector::repair);
  }

  /**
   * Starts the framework and its infrastructure bundles and begins watching {@code settings.watchedDirectory()}.
   * Jars already there are installed by the first scan, right away.
   *
   * @return the running host
   * @throws HostException when the framework or an infrastructure bundle does not start; the framework is
   *     stopped again before this is thrown
   */
  public static OsgiHost start(HostSettings settings) {
    long t0 = System.nanoTime();
    TrainingEngine.configure();
    Path watched = realPath(settings.watchedDirectory());
    String exports = SystemPackages.header(SystemPackages.fromClasspath(OsgiHost.class.getClassLoader()));
    FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class, OsgiHost.class.getClassLoader())
        .findFirst().orElseThrow(() -> new HostException("host: no OSGi FrameworkFactory on the classpath; add "
            + "org.apache.felix:org.apache.felix.framework"));
    Path storage = createStorage();
    Framework framework = factory.newFramework(config(settings, watched, storage, exports));
    BundleProblems problems = new BundleProblems(watched);
    CapabilityRegistry registry = null;
    try {
      framework.init();
      BundleContext context = framework.getBundleContext();
      context.addFrameworkListener(problems);
      context.addBundleListener(problems);
      ComponentRuntime components = new ComponentRuntime(context);
      registry = new CapabilityRegistry(context, settings.drainTimeout(), components,
          "drop a bundle jar that provides it into " + watched + " (see bundles/README.md)");
      registry.open();
      TrainingEngine.register(context);
      framework.start();
      DuplicateJars duplicates = new DuplicateJars(context, watched, problems);
      InfrastructureBundles.installAndStart(context, duplicates::register);
      BundleInspector inspector = new BundleInspector(context, watched, problems, components, duplicates,
          settings.poll().multipliedBy(3));
      Duration took = Duration.ofNanos(System.nanoTime() - t0);
      LOG.info("host started in {} ms: watching {} every {} ms", took.toMillis(), watched,
          settings.poll().toMillis());
      OsgiHost host = new OsgiHost(watched, framework, storage, problems, registry, inspector, took);
      host.audit.start(Math.max(AUDIT_PERIOD.toMillis(), settings.poll().toMillis() * 5));
      return host;
    } catch (BundleException | RuntimeException e) {
      if (registry != null) {
        registry.close();
      }
      stop(framework);
      problems.close();
      delete(storage);
      if (e instanceof HostException h) {
        throw h;
      }
      throw new HostException("host: the OSGi framework did not start: " + e.getMessage()
          + "; check that " + storage.getParent() + " is writable and run with --verbose for details", e);
    }
  }

  /** @return the capability registry of this host */
  public CapabilityRegistry registry() {
    return registry;
  }

  /** @return the framework's own context, for the host's tests */
  BundleContext systemContext() {
    return framework.getBundleContext();
  }

  /** @return whether the framework is running: started, and neither stopping nor closed */
  public boolean active() {
    return !closed.get() && framework.getState() == org.osgi.framework.Bundle.ACTIVE;
  }

  /** @return the directory watched for bundle jars (absolute, symbolic links resolved) */
  public Path watchedDirectory() {
    return watched;
  }

  /** @return how long {@link #start} took, framework and infrastructure bundles included */
  public Duration startTime() {
    return startTime;
  }

  /** @return providers and jars now, with states and problems */
  public BundleListing listing() {
    List<ProviderEntry> providers = registry.providers();
    return new BundleListing(watched.toString(), providers, inspector.inspect(providers));
  }

  /**
   * Waits until every jar of the watched directory is active or has a problem waiting will not fix.
   *
   * @param timeout the longest wait
   * @return the listing once settled, or the last one at the deadline
   */
  public BundleListing awaitSettled(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    BundleListing listing = listing();
    while (!listing.settled() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(SETTLE_POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return listing;
      }
      listing = listing();
    }
    return listing;
  }

  /** Stops the framework when the JVM shuts down (Ctrl-C, SIGTERM) unless it was closed before. */
  public synchronized OsgiHost stopOnShutdown() {
    if (shutdownHook == null && !closed.get()) {
      shutdownHook = new Thread(this::close, "compactor-host-shutdown");
      Runtime.getRuntime().addShutdownHook(shutdownHook);
    }
    return this;
  }

  /** Stops the framework (bundles first) and deletes its storage; idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    synchronized (this) {
      if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
        try {
          Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
          // the JVM is already shutting down; the hook runs close() again, which returns at once
        }
      }
    }
    audit.close();
    registry.close();
    stop(framework);
    problems.close();
    delete(storage);
    LOG.info("host stopped");
  }

  private static Map<String, String> config(HostSettings settings, Path watched, Path storage, String exports) {
    Map<String, String> config = new HashMap<>();
    config.put(Constants.FRAMEWORK_STORAGE, storage.resolve("felix-cache").toString());
    config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
    config.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, exports);
    config.put("felix.fileinstall.dir", watched.toString());
    config.put("felix.fileinstall.poll", Long.toString(settings.poll().toMillis()));
    config.put("felix.fileinstall.noInitialDelay", "true");
    config.put("felix.fileinstall.bundles.new.start", "true");
    config.put("felix.fileinstall.filter", ".*\\.(jar|cfg|config)");
    config.put("felix.fileinstall.subdir.mode", "skip");
    config.put("felix.fileinstall.tmpdir", storage.resolve("fileinstall").toString());
    config.put("felix.fileinstall.log.default", "jul");
    config.put("felix.fileinstall.log.level", "3");
    return config;
  }

  private static Path realPath(Path dir) {
    try {
      return Files.isDirectory(dir) ? dir.toRealPath() : dir;
    } catch (IOException e) {
      return dir;
    }
  }

  private static Path createStorage() {
    try {
      Path storage = Files.createTempDirectory("compactor-osgi-");
      Files.createDirectories(storage.resolve("fileinstall"));
      return storage;
    } catch (IOException e) {
      throw new HostException("host: cannot create the framework storage in " + System.getProperty("java.io.tmpdir")
          + ": " + e.getMessage() + "; point java.io.tmpdir at a writable directory", e);
    }
  }

  private static void stop(Framework framework) {
    try {
      framework.stop();
      FrameworkEvent event = framework.waitForStop(STOP_TIMEOUT.toMillis());
      if (event.getType() == FrameworkEvent.WAIT_TIMEDOUT) {
        LOG.warn("host: the framework did not stop within {} s; a bundle blocks its stop", STOP_TIMEOUT.toSeconds());
      }
    } catch (BundleException e) {
      LOG.warn("host: stopping the framework failed: {}", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void delete(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      LOG.warn("host: could not delete the framework storage {}: {}", dir, e.getMessage());
    }
  }
}
