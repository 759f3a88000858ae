package io.compactor.core.host;

import java.util.List;
import java.util.Objects;

/**
 * One provider of one capability as the host sees it, and why it is or is not the one chosen. A plain value
 * (strings, numbers, lists), so it can be printed by the CLI or served as JSON as it is.
 *
 * @param capability the capability, e.g. {@code sparsity.2of4}
 * @param stage {@code sparsity} or {@code quantization}, as registered
 * @param opTypes the op types, as registered
 * @param bundle the providing bundle's symbolic name
 * @param bundleId the providing bundle's OSGi id (kept across updates of the same jar)
 * @param version the providing bundle's version
 * @param ranking the service ranking (0 when not set)
 * @param serviceId the OSGi service id; a replaced jar registers a new one
 * @param state chosen, standby, draining or failed
 * @param reason why it has that state, e.g. "ranking -10 < 0 of io.compactor.bundle.prune2of4 0.1.0"
 * @param leases steps running on it now
 */
public record ProviderEntry(String capability, String stage, List<String> opTypes, String bundle, long bundleId,
    String version, int ranking, long serviceId, ProviderState state, String reason, int leases) {
  public ProviderEntry {
    Objects.requireNonNull(capability, "capability");
    Objects.requireNonNull(stage, "stage");
    opTypes = List.copyOf(opTypes);
    Objects.requireNonNull(bundle, "bundle");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(reason, "reason");
  }

  /** @return whether new leases of the capability get this provider */
  public boolean chosen() {
    return state == ProviderState.CHOSEN;
  }
}
