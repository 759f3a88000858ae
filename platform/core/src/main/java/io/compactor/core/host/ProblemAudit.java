package io.compactor.core.host;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs every jar problem of the listing once, when it appears, and again when it is gone. FileInstall says
 * nothing about files it cannot handle (not a jar, not a bundle), so without this they would only show in
 * the listing. Runs the inspector's repair first, on the same timer.
 */
final class ProblemAudit implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ProblemAudit.class);
  private final Supplier<BundleListing> listing;
  private final Runnable repair;
  private final Map<String, String> reported = new HashMap<>();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "compactor-host-audit");
    t.setDaemon(true);
    return t;
  });

  ProblemAudit(Supplier<BundleListing> listing, Runnable repair) {
    this.listing = listing;
    this.repair = repair;
  }

  /** Audits every {@code periodMillis} from now on. */
  void start(long periodMillis) {
    timer.scheduleWithFixedDelay(() -> {
      try {
        repair.run();
      } catch (RuntimeException e) {
        LOG.debug("repair of the watched directory failed: {}", e.toString());
      }
      audit();
    }, 0, periodMillis, TimeUnit.MILLISECONDS);
  }

  /** Compares the listing with what was reported and logs the difference. */
  synchronized void audit() {
    try {
      Map<String, String> now = new HashMap<>();
      for (BundleEntry b : listing.get().bundles()) {
        if (b.hasProblem()) {
          now.put(b.file(), b.problem());
          if (!b.problem().equals(reported.get(b.file()))) {
            LOG.warn("{}: {}", b.file(), b.problem());
          }
        }
      }
      reported.keySet().stream().filter(f -> !now.containsKey(f)).sorted()
          .forEach(f -> LOG.info("{}: no problem any more", f));
      reported.clear();
      reported.putAll(now);
    } catch (RuntimeException e) {
      LOG.debug("audit of the watched directory failed: {}", e.toString());
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
