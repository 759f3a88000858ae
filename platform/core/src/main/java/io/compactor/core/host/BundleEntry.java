package io.compactor.core.host;

import java.util.List;
import java.util.Objects;

/**
 * One jar of the watched directory (or a bundle still installed from it) as the host sees it. A plain
 * value (strings, numbers, lists), so it can be printed by the CLI or served as JSON as it is.
 *
 * @param file the jar's file name in the watched directory
 * @param bundleId the OSGi bundle id, or -1 when not installed
 * @param symbolicName the Bundle-SymbolicName, or "" when there is none
 * @param version the Bundle-Version, or "" when unknown
 * @param state where it stands
 * @param capabilities the capabilities its services register, sorted
 * @param problem what is wrong and how to fix it, or "" when nothing is
 */
public record BundleEntry(String file, long bundleId, String symbolicName, String version, BundleState state,
    List<String> capabilities, String problem) {
  public BundleEntry {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(symbolicName, "symbolicName");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(state, "state");
    capabilities = List.copyOf(capabilities);
    Objects.requireNonNull(problem, "problem");
  }

  /** @return whether something is wrong with this jar */
  public boolean hasProblem() {
    return !problem.isEmpty();
  }
}
