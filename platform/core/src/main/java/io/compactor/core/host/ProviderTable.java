package io.compactor.core.host;

import io.compactor.api.ProviderMissingException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The registry's state as an explained table: every provider of every capability, best first, with its state
 * and the reason; and the sentence a job gets when a capability has no usable provider.
 *
 * @param registered providers whose services are registered, by service id
 * @param draining ids of bundles that are stopping
 * @param leased the provider of each open lease (a provider appears once per lease)
 */
record ProviderTable(Map<Long, Provider> registered, Set<Long> draining, List<Provider> leased) {
  ProviderTable {
    registered = Map.copyOf(registered);
    draining = Set.copyOf(draining);
    leased = List.copyOf(leased);
  }

  /** @return whether new leases may get {@code p} */
  boolean leasable(Provider p) {
    return p.usable() && !draining.contains(p.bundleId()) && registered.containsKey(p.serviceId());
  }

  /** @return registered providers by capability, best first, then leased providers no longer registered */
  List<ProviderEntry> entries() {
    List<ProviderEntry> entries = new ArrayList<>();
    Map<String, List<Provider>> byCapability = new TreeMap<>();
    registered.values().forEach(p -> byCapability.computeIfAbsent(p.capability(), c -> new ArrayList<>()).add(p));
    for (List<Provider> group : byCapability.values()) {
      group.sort(ProviderOrder.BEST_FIRST);
      List<Provider> usable = group.stream().filter(this::leasable).toList();
      Provider best = usable.isEmpty() ? null : usable.get(0);
      Provider runnerUp = usable.size() > 1 ? usable.get(1) : null;
      for (Provider p : group) {
        entries.add(entry(p, best, runnerUp));
      }
    }
    Set<Long> listed = new HashSet<>(registered.keySet());
    for (Provider p : leased) {
      if (listed.add(p.serviceId())) {
        entries.add(entry(p, null, null));
      }
    }
    return entries;
  }

  /** @return why {@code capability} cannot be leased now, and what to do */
  ProviderMissingException missing(String capability, String dropHint) {
    List<ProviderEntry> known = entries().stream().filter(e -> e.capability().equals(capability)).toList();
    if (known.isEmpty()) {
      Set<String> capabilities = registered.values().stream().map(Provider::capability)
          .collect(Collectors.toCollection(TreeSet::new));
      return new ProviderMissingException(capability, "no bundle provides it, got providers for " + capabilities
          + "; " + dropHint);
    }
    List<String> why = known.stream().map(e -> e.bundle() + " " + e.version() + " is "
        + e.state().name().toLowerCase(Locale.ROOT) + " (" + e.reason() + ")").toList();
    return new ProviderMissingException(capability, "no usable provider: " + String.join("; ", why) + "; "
        + dropHint);
  }

  private ProviderEntry entry(Provider p, Provider best, Provider runnerUp) {
    int leases = (int) leased.stream().filter(l -> l.serviceId() == p.serviceId()).count();
    ProviderState state;
    String reason;
    if (!p.usable()) {
      state = ProviderState.FAILED;
      reason = p.failure();
    } else if (draining.contains(p.bundleId()) || !registered.containsKey(p.serviceId())) {
      state = ProviderState.DRAINING;
      reason = "bundle is stopping (jar deleted or replaced): " + leases + " running step(s) finish on it, "
          + "new leases go elsewhere";
    } else if (p == best) {
      state = ProviderState.CHOSEN;
      reason = ProviderOrder.whyChosen(p, runnerUp);
    } else {
      state = ProviderState.STANDBY;
      reason = ProviderOrder.whyStandby(p, best);
    }
    return new ProviderEntry(p.capability(), p.stage(), p.opTypes(), p.bundle(), p.bundleId(),
        p.version().toString(), p.ranking(), p.serviceId(), state, reason, leases);
  }

  /** @return the provider new leases of {@code capability} get: the best leasable one */
  Optional<Provider> best(String capability) {
    return registered.values().stream().filter(p -> p.capability().equals(capability) && leasable(p))
        .min(ProviderOrder.BEST_FIRST);
  }
}
