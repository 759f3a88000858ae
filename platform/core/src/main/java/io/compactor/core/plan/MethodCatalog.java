package io.compactor.core.plan;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where the planner finds the chosen provider of each capability. The platform host implements it over
 * the OSGi service registry (highest {@code service.ranking}, then highest bundle version); tests and
 * the CLI without a host use {@link #of} and {@link #none()}.
 */
@FunctionalInterface
public interface MethodCatalog {
  /**
   * @param capability e.g. {@code sparsity.2of4}
   * @return the provider chosen for it, or empty when none is installed
   */
  Optional<Provider> provider(String capability);

  /** @return a catalog with no provider installed: plans show the resolved combination, nothing runs */
  static MethodCatalog none() {
    return capability -> Optional.empty();
  }

  /**
   * @param providers one provider per capability
   * @return a catalog of exactly these providers
   * @throws IllegalArgumentException when two providers offer one capability
   */
  static MethodCatalog of(List<Provider> providers) {
    Map<String, Provider> byCapability = new LinkedHashMap<>();
    for (Provider p : providers) {
      Provider before = byCapability.putIfAbsent(p.method().capability(), p);
      if (before != null) {
        throw new IllegalArgumentException("two providers of " + p.method().capability() + ": "
            + before.describe() + " and " + p.describe() + "; a catalog holds the one chosen provider");
      }
    }
    Map<String, Provider> copy = Map.copyOf(byCapability);
    return capability -> Optional.ofNullable(copy.get(capability));
  }
}
