package io.compactor.core.host;

import io.compactor.api.Capabilities;
import io.compactor.api.CompressionMethod;
import io.compactor.api.Stage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.Version;

/**
 * One registered {@link CompressionMethod} service, read from its service properties; {@code failure} is
 * empty while it is usable.
 */
record Provider(ServiceReference<CompressionMethod> reference, long serviceId, long bundleId, String bundle,
    Version version, String capability, String stage, List<String> opTypes, int ranking, String failure) {
  Provider {
    Objects.requireNonNull(reference, "reference");
    opTypes = List.copyOf(opTypes);
    Objects.requireNonNull(failure, "failure");
  }

  /** @return the provider described by {@code reference}'s properties, failed when they are invalid */
  static Provider of(ServiceReference<CompressionMethod> reference) {
    Bundle b = reference.getBundle();
    long serviceId = (Long) reference.getProperty(Constants.SERVICE_ID);
    String bsn = b == null || b.getSymbolicName() == null ? "(unregistered)" : b.getSymbolicName();
    Version version = b == null ? Version.emptyVersion : b.getVersion();
    Object ranking = reference.getProperty(Constants.SERVICE_RANKING);
    List<String> problems = new ArrayList<>();
    String capability = string(reference, Capabilities.PROPERTY_CAPABILITY, problems);
    String stage = string(reference, Capabilities.PROPERTY_STAGE, problems);
    if (!stage.isEmpty()) {
      try {
        Stage.of(stage);
      } catch (IllegalArgumentException e) {
        problems.add(Capabilities.PROPERTY_STAGE + " must be sparsity, quantization or retraining, got '" + stage + "'");
      }
    }
    List<String> opTypes = strings(reference.getProperty(Capabilities.PROPERTY_OP_TYPES));
    // retraining trains the whole model, not chosen op types
    if (opTypes.isEmpty() && !stage.equals(Stage.RETRAINING.id())) {
      problems.add(Capabilities.PROPERTY_OP_TYPES + " is missing; repeat \"compactor.op-types=Conv\" once per op type");
    }
    String failure = problems.isEmpty() ? ""
        : "invalid service properties: " + String.join("; ", problems) + " (see bundles/README.md)";
    return new Provider(reference, serviceId, b == null ? -1 : b.getBundleId(), bsn, version,
        capability.isEmpty() ? "(none)" : capability, stage, opTypes,
        ranking instanceof Integer i ? i : 0, failure);
  }

  /** @return the same provider, failed for {@code reason} */
  Provider failed(String reason) {
    return new Provider(reference, serviceId, bundleId, bundle, version, capability, stage, opTypes, ranking,
        reason);
  }

  /** @return whether the provider can be leased (properties valid, component activates) */
  boolean usable() {
    return failure.isEmpty();
  }

  /** @return e.g. {@code io.compactor.bundle.prune2of4 0.1.0} */
  String label() {
    return bundle + " " + version;
  }

  private static String string(ServiceReference<?> ref, String key, List<String> problems) {
    Object v = ref.getProperty(key);
    if (v instanceof String s && !s.isBlank()) {
      return s.trim();
    }
    problems.add(key + " must be a non-empty string, got " + (v == null ? "nothing" : v));
    return "";
  }

  private static List<String> strings(Object value) {
    if (value instanceof String s) {
      return s.isBlank() ? List.of() : List.of(s.trim());
    }
    if (value instanceof String[] a) {
      return Arrays.stream(a).map(String::trim).filter(x -> !x.isEmpty()).toList();
    }
    if (value instanceof Collection<?> c) {
      return c.stream().map(String::valueOf).map(String::trim).filter(x -> !x.isEmpty()).toList();
    }
    return List.of();
  }
}
