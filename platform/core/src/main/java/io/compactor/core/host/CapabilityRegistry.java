package io.compactor.core.host;

import io.compactor.api.CompressionMethod;
import io.compactor.api.ProviderMissingException;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.ServiceObjects;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.SynchronousBundleListener;
import org.osgi.util.tracker.ServiceTracker;
import org.osgi.util.tracker.ServiceTrackerCustomizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who provides which capability, live: tracks every {@link CompressionMethod} service, chooses one provider
 * per capability (highest {@code service.ranking}, then highest bundle version) and leases it to running
 * steps. A bundle that is being stopped (jar deleted or replaced) takes no new leases and waits, up to the
 * drain timeout, until the steps holding leases on it have finished. Thread-safe.
 */
public final class CapabilityRegistry implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CapabilityRegistry.class);
  private final BundleContext context;
  private final Duration drainTimeout;
  private final ComponentRuntime components;
  private final String dropHint;
  private final ServiceTracker<CompressionMethod, Provider> tracker;
  private final SynchronousBundleListener drainListener = this::bundleChanged;
  private final Object lock = new Object();
  private final Map<Long, Provider> providers = new HashMap<>();
  private final Set<ProviderLease> open = Collections.newSetFromMap(new IdentityHashMap<>());
  private final Map<Long, Integer> reserved = new HashMap<>();
  private final Set<Long> draining = new HashSet<>();
  private final Map<String, String> lastChosen = new HashMap<>();
  private volatile boolean closed;

  CapabilityRegistry(BundleContext context, Duration drainTimeout, ComponentRuntime components, String dropHint) {
    this.context = context;
    this.drainTimeout = drainTimeout;
    this.components = components;
    this.dropHint = dropHint;
    this.tracker = new ServiceTracker<>(context, CompressionMethod.class, new Customizer());
  }

  /** Starts tracking; called once by the host before any bundle can register. */
  void open() {
    context.addBundleListener(drainListener);
    tracker.open();
  }

  /**
   * Leases the chosen provider of {@code capability} now.
   *
   * @return an open lease; close it when the step ends
   * @throws ProviderMissingException when no usable provider is registered
   */
  public ProviderLease lease(String capability) {
    return lease(capability, Duration.ZERO);
  }

  /**
   * Leases the chosen provider of {@code capability}, waiting up to {@code patience} for one to appear (a
   * replaced jar is briefly without a provider while the old one drains and the new one starts).
   *
   * @return an open lease; close it when the step ends
   * @throws ProviderMissingException when no usable provider appeared in time, saying why
   */
  public ProviderLease lease(String capability, Duration patience) {
    Objects.requireNonNull(capability, "capability");
    long deadline = System.nanoTime() + patience.toNanos();
    while (true) {
      Provider p = reserve(capability, deadline);
      ServiceObjects<CompressionMethod> objects = null;
      CompressionMethod method = null;
      try {
        objects = context.getServiceObjects(p.reference());
        method = objects == null ? null : objects.getService();
      } catch (IllegalStateException e) {
        LOG.debug("lease of {}: {} vanished while being leased ({})", capability, p.label(), e.getMessage());
      }
      // asking DS why is a call into the framework: never while holding the lock
      String failure = method == null && p.reference().getBundle() != null
          ? ProviderCheck.activationFailure(p, components) : "";
      synchronized (lock) {
        reserved.merge(p.bundleId(), -1, (a, b) -> a + b == 0 ? null : a + b);
        if (method != null) {
          ProviderLease lease = new ProviderLease(p, method, objects, this::released);
          open.add(lease);
          return lease;
        }
        if (!failure.isEmpty() && providers.containsKey(p.serviceId())) {
          providers.put(p.serviceId(), p.failed(failure));
          LOG.warn("capability {}: provider {} failed when leased: {}", capability, p.label(), failure);
        }
        lock.notifyAll();
      }
    }
  }

  /** @return the provider new leases of {@code capability} get, if any */
  public Optional<ProviderEntry> chosen(String capability) {
    return providers().stream().filter(e -> e.capability().equals(capability) && e.chosen()).findFirst();
  }

  /** @return every provider of every capability with its state and the reason, by capability, best first */
  public List<ProviderEntry> providers() {
    synchronized (lock) {
      return table().entries();
    }
  }

  /** @return the number of leases open now, across all capabilities */
  public int openLeases() {
    synchronized (lock) {
      return open.size();
    }
  }

  /** Stops tracking and stops holding back stopping bundles; open leases stay usable until closed. */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      lock.notifyAll();
    }
    try {
      context.removeBundleListener(drainListener);
    } catch (IllegalStateException e) {
      // the framework is already stopping; the listener goes with it
    }
    tracker.close();
  }

  private Provider reserve(String capability, long deadline) {
    synchronized (lock) {
      while (true) {
        if (closed) {
          throw new ProviderMissingException(capability, "the host is shutting down; no new steps start");
        }
        ProviderTable table = table();
        Optional<Provider> best = table.best(capability);
        if (best.isPresent()) {
          reserved.merge(best.get().bundleId(), 1, Integer::sum);
          return best.get();
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw table.missing(capability, dropHint);
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(lock, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new ProviderMissingException(capability, "interrupted while waiting for a provider");
        }
      }
    }
  }

  /** Call with the lock held. */
  private ProviderTable table() {
    return new ProviderTable(providers, draining, open.stream().map(ProviderLease::leased).toList());
  }

  private void released(ProviderLease lease) {
    synchronized (lock) {
      open.remove(lease);
      lock.notifyAll();
    }
  }

  private int busy(long bundleId) {
    int leases = (int) open.stream().filter(l -> l.leased().bundleId() == bundleId).count();
    return leases + reserved.getOrDefault(bundleId, 0);
  }

  private void bundleChanged(BundleEvent event) {
    long id = event.getBundle().getBundleId();
    switch (event.getType()) {
      case BundleEvent.STOPPING -> drain(event.getBundle());
      case BundleEvent.STOPPED, BundleEvent.UNINSTALLED, BundleEvent.STARTED, BundleEvent.UNRESOLVED -> {
        synchronized (lock) {
          if (draining.remove(id)) {
            lock.notifyAll();
          }
        }
      }
      default -> { }
    }
  }

  /** Runs on the thread stopping {@code bundle} (FileInstall's): holds the stop until its leases are closed. */
  private void drain(Bundle bundle) {
    long id = bundle.getBundleId();
    String label = bundle.getSymbolicName() + " " + bundle.getVersion();
    int busy;
    boolean waited;
    long start = System.nanoTime();
    synchronized (lock) {
      boolean provides = providers.values().stream().anyMatch(p -> p.bundleId() == id);
      busy = busy(id);
      if (closed || !provides && busy == 0) {
        return;
      }
      draining.add(id);
      lock.notifyAll();
      waited = busy > 0;
      if (waited) {
        LOG.info("bundle {} is stopping: waiting up to {} ms for {} running step(s) on it", label,
            drainTimeout.toMillis(), busy);
      }
      long deadline = start + drainTimeout.toNanos();
      while (!closed && (busy = busy(id)) > 0 && deadline - System.nanoTime() > 0) {
        try {
          TimeUnit.NANOSECONDS.timedWait(lock, deadline - System.nanoTime());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    if (busy > 0 && !closed) {
      LOG.warn("bundle {} stops while {} step(s) still run on it after the drain timeout of {} ms; they continue "
          + "on its deactivated component and old classes; raise the drain timeout if steps take longer", label,
          busy, drainTimeout.toMillis());
    } else if (waited) {
      LOG.info("bundle {} drained in {} ms", label, (System.nanoTime() - start) / 1_000_000);
    }
  }

  private void changed(String event, Provider p) {
    Map<String, String> now = new HashMap<>();
    synchronized (lock) {
      lock.notifyAll();
      for (ProviderEntry e : providers()) {
        if (e.chosen()) {
          now.put(e.capability(), e.bundle() + " " + e.version());
        }
      }
      Set<String> capabilities = new HashSet<>(lastChosen.keySet());
      capabilities.addAll(now.keySet());
      for (String c : capabilities) {
        String before = lastChosen.get(c);
        String after = now.get(c);
        if (!Objects.equals(before, after) && !closed) {
          LOG.info("capability {}: {}", c, after == null ? "no provider (was " + before + ")"
              : "provided by " + after + (before == null ? "" : " (was " + before + ")"));
        }
      }
      lastChosen.clear();
      lastChosen.putAll(now);
    }
    if (!p.usable() && !closed) {
      LOG.warn("capability {}: provider {} {}: {}", p.capability(), p.label(), event, p.failure());
    } else {
      LOG.debug("capability {}: provider {} {} (service {}, ranking {})", p.capability(), p.label(), event,
          p.serviceId(), p.ranking());
    }
  }

  /** Reads, checks and records providers as they come, change and go. */
  private final class Customizer implements ServiceTrackerCustomizer<CompressionMethod, Provider> {
    @Override
    public Provider addingService(ServiceReference<CompressionMethod> reference) {
      Provider p = checked(reference);
      synchronized (lock) {
        providers.put(p.serviceId(), p);
      }
      changed("registered", p);
      return p;
    }

    @Override
    public void modifiedService(ServiceReference<CompressionMethod> reference, Provider old) {
      Provider p = checked(reference);
      synchronized (lock) {
        providers.put(p.serviceId(), p);
      }
      changed("modified", p);
    }

    @Override
    public void removedService(ServiceReference<CompressionMethod> reference, Provider p) {
      synchronized (lock) {
        providers.remove(p.serviceId());
      }
      changed("unregistered", p);
    }

    private Provider checked(ServiceReference<CompressionMethod> reference) {
      Provider p = Provider.of(reference);
      if (p.usable()) {
        String failure = ProviderCheck.failure(context, p, components);
        if (!failure.isEmpty()) {
          p = p.failed(failure);
        }
      }
      return p;
    }
  }
}
