package io.compactor.core.plan;

import io.compactor.api.CompressionMethod;
import java.util.Objects;

/**
 * The chosen provider of one capability: the service and the bundle it comes from. Named with its
 * version in the plan, in every event and in the report.
 *
 * @param bundle the providing bundle's symbolic name
 * @param version the bundle version
 * @param method the service
 */
public record Provider(String bundle, String version, CompressionMethod method) {
  public Provider {
    Objects.requireNonNull(bundle, "bundle");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(method, "method");
  }

  /** @return {@code <bundle> <version>} */
  public String describe() {
    return bundle + " " + version;
  }
}
