package io.compactor.core.chain;

import io.compactor.api.ProviderMissingException;
import io.compactor.core.host.CapabilityRegistry;
import io.compactor.core.host.ProviderLease;
import io.compactor.core.plan.MethodCatalog;
import io.compactor.core.plan.Provider;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The providers one job uses. Each capability is leased from the registry the first time the planner asks
 * for it and held until the job ends, so the provider the plan names (and checked eligibility against) is
 * the one that runs, even when its jar is replaced meanwhile; the next job gets the new one.
 */
public final class JobProviders implements MethodCatalog, AutoCloseable {
  private final CapabilityRegistry registry;
  private final Duration patience;
  private final Map<String, ProviderLease> leases = new LinkedHashMap<>();
  private final Map<String, String> missing = new LinkedHashMap<>();

  /**
   * @param registry the host's registry
   * @param patience how long to wait for a provider that is briefly absent (a jar being replaced)
   */
  public JobProviders(CapabilityRegistry registry, Duration patience) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.patience = Objects.requireNonNull(patience, "patience");
  }

  @Override
  public synchronized Optional<Provider> provider(String capability) {
    return lease(capability).map(l -> new Provider(l.provider(), l.version(), l.method()));
  }

  /** @return the lease held for {@code capability}, taking it now if needed; empty when none is installed */
  synchronized Optional<ProviderLease> lease(String capability) {
    ProviderLease lease = leases.get(capability);
    if (lease == null && !missing.containsKey(capability)) {
      try {
        lease = registry.lease(capability, patience);
        leases.put(capability, lease);
      } catch (ProviderMissingException e) {
        missing.put(capability, e.getMessage());
      }
    }
    return Optional.ofNullable(lease);
  }

  /** @return why {@code capability} has no provider, when leasing it failed */
  synchronized Optional<String> whyMissing(String capability) {
    return Optional.ofNullable(missing.get(capability));
  }

  /** Releases every lease: the providers' bundles may now be stopped or replaced. */
  @Override
  public synchronized void close() {
    leases.values().forEach(ProviderLease::close);
    leases.clear();
  }
}
