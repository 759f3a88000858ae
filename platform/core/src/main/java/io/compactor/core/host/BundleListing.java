package io.compactor.core.host;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the host runs, explained: every provider of every capability (chosen or not, and why) and every jar
 * of the watched directory with its state and problem. Served by {@code compactor bundles} and, as JSON, by
 * the {@code /bundles} endpoint.
 *
 * @param watchedDirectory the directory FileInstall watches
 * @param providers providers by capability, best first
 * @param bundles jars by file name
 */
public record BundleListing(String watchedDirectory, List<ProviderEntry> providers, List<BundleEntry> bundles) {
  public BundleListing {
    Objects.requireNonNull(watchedDirectory, "watchedDirectory");
    providers = List.copyOf(providers);
    bundles = List.copyOf(bundles);
  }

  /** @return the provider new leases of {@code capability} get, if any */
  public Optional<ProviderEntry> chosen(String capability) {
    return providers.stream().filter(p -> p.capability().equals(capability) && p.chosen()).findFirst();
  }

  /** @return the entry of the jar named {@code file}, if listed */
  public Optional<BundleEntry> bundle(String file) {
    return bundles.stream().filter(b -> b.file().equals(file)).findFirst();
  }

  /** @return jars with a problem */
  public List<BundleEntry> problems() {
    return bundles.stream().filter(BundleEntry::hasProblem).toList();
  }

  /**
   * @return whether nothing is in flux: every jar is active, or has a problem that waiting will not fix
   */
  public boolean settled() {
    return bundles.stream().allMatch(b -> b.hasProblem() || b.state() == BundleState.ACTIVE);
  }
}
