package io.compactor.core.host;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleListener;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.framework.ServiceException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remembers the latest problem per jar of the watched directory, as FileInstall and the framework report
 * it: FileInstall's log (routed through {@code java.util.logging}, logger {@code fileinstall}) for install,
 * update and start failures, framework ERROR events for everything else. Forwards both to the host log.
 * Also notes which bundles have finished starting: the asynchronous STARTED event arrives only after the
 * synchronous listeners, DS included, have registered the bundle's components.
 */
final class BundleProblems implements FrameworkListener, BundleListener, AutoCloseable {
  /** FileInstall's JUL logger name ({@code felix.fileinstall.log.default=jul}). */
  static final String FILEINSTALL_LOGGER = "fileinstall";
  private static final Logger LOG = LoggerFactory.getLogger("io.compactor.core.host.fileinstall");
  private static final Logger FRAMEWORK = LoggerFactory.getLogger("io.compactor.core.host.framework");
  private final Path watched;
  private final Map<Path, String> byFile = new ConcurrentHashMap<>();
  private final Set<Long> started = ConcurrentHashMap.newKeySet();
  private final java.util.logging.Logger jul = java.util.logging.Logger.getLogger(FILEINSTALL_LOGGER);
  private final Handler handler = new Capture();

  BundleProblems(Path watched) {
    this.watched = watched;
    jul.setUseParentHandlers(false);
    jul.setLevel(Level.INFO);
    jul.addHandler(handler);
  }

  /** @return the latest problem reported for {@code file}, if it is still unresolved */
  Optional<String> of(Path file) {
    return Optional.ofNullable(byFile.get(file));
  }

  @Override
  public void frameworkEvent(FrameworkEvent event) {
    if (event.getType() != FrameworkEvent.ERROR) {
      return;
    }
    Bundle b = event.getBundle();
    String who = b == null ? "framework" : b.getSymbolicName() + " " + b.getVersion();
    Throwable t = event.getThrowable();
    if (t instanceof ServiceException && b != null && b.getBundleId() == 0) {
      // the host's own getService failed; the registry reports it with DS's reason
      FRAMEWORK.debug("{}: {}", who, describe(t));
      return;
    }
    FRAMEWORK.error("{}: {}", who, t == null ? "framework error" : describe(t));
    if (b != null) {
      file(b.getLocation()).ifPresent(f -> byFile.put(f, t == null ? "framework error" : describe(t)));
    }
  }

  /** @return whether the bundle's STARTED event has been delivered, so its components are registered */
  boolean started(long bundleId) {
    return started.contains(bundleId);
  }

  @Override
  public void bundleChanged(BundleEvent event) {
    long id = event.getBundle().getBundleId();
    switch (event.getType()) {
      case BundleEvent.STARTED -> started.add(id);
      case BundleEvent.STOPPED, BundleEvent.UPDATED, BundleEvent.UNRESOLVED, BundleEvent.UNINSTALLED ->
          started.remove(id);
      default -> { }
    }
    if (event.getType() == BundleEvent.STARTED || event.getType() == BundleEvent.UNINSTALLED) {
      file(event.getBundle().getLocation()).ifPresent(byFile::remove);
    }
  }

  /** Stops capturing FileInstall's log. */
  @Override
  public void close() {
    jul.removeHandler(handler);
  }

  /** @return "message: cause" for the innermost cause that says something */
  static String describe(Throwable t) {
    StringBuilder text = new StringBuilder(String.valueOf(t.getMessage()));
    for (Throwable c = t.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
      text.append(": ").append(c.getClass().getSimpleName()).append(": ").append(c.getMessage());
    }
    return text.toString();
  }

  /** @return the watched-directory file a bundle location or FileInstall path names, if it is one */
  Optional<Path> file(String locationOrPath) {
    try {
      Path p = locationOrPath.startsWith("file:") ? Path.of(URI.create(locationOrPath))
          : Path.of(locationOrPath);
      p = p.toAbsolutePath().normalize();
      return watched.equals(p.getParent()) ? Optional.of(p) : Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** FileInstall messages end with the path or location: "Failed to install artifact: /dir/x.jar". */
  private final class Capture extends Handler {
    @Override
    public void publish(LogRecord record) {
      String message = String.valueOf(record.getMessage());
      Optional<Path> file = named(message);
      if (file.isEmpty()) {
        return;
      }
      Throwable t = record.getThrown();
      String text = t == null ? message : message + ": " + describe(t);
      int level = record.getLevel().intValue();
      if (level >= Level.WARNING.intValue() && t != null) {
        byFile.put(file.get(), describe(t));
      }
      if (level >= Level.SEVERE.intValue()) {
        LOG.error(text);
      } else if (level >= Level.WARNING.intValue()) {
        LOG.warn(text);
      } else if (level >= Level.INFO.intValue()) {
        LOG.info(text);
      } else {
        LOG.debug(text);
      }
    }

    private Optional<Path> named(String message) {
      int[] starts = {message.indexOf("file:"), message.lastIndexOf(": ") + 2, message.lastIndexOf(' ') + 1};
      for (int start : starts) {
        if (start > 0 || start == 0 && message.startsWith("file:")) {
          Optional<Path> file = file(message.substring(start).trim());
          if (file.isPresent()) {
            return file;
          }
        }
      }
      return Optional.empty();
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }
}
