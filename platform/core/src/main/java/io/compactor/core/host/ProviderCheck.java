package io.compactor.core.host;

import io.compactor.api.CompressionMethod;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceObjects;

/**
 * Checks a newly registered provider once before it can be chosen: the component must activate, and
 * {@code capability()}, {@code stage()} and {@code opTypes()} must agree with its service properties.
 */
final class ProviderCheck {
  private ProviderCheck() {}

  /** @return why {@code provider} cannot be used, or "" when it can (or vanished meanwhile) */
  static String failure(BundleContext context, Provider provider, ComponentRuntime components) {
    ServiceObjects<CompressionMethod> objects = context.getServiceObjects(provider.reference());
    if (objects == null) {
      return "";
    }
    CompressionMethod method;
    try {
      method = objects.getService();
    } catch (RuntimeException e) {
      return "the service could not be obtained: " + e.getMessage();
    }
    if (method == null) {
      return provider.reference().getBundle() == null ? "" : activationFailure(provider, components);
    }
    try {
      return disagreement(provider, method);
    } catch (RuntimeException | LinkageError e) {
      return "the method failed when asked for its capability, stage or op types: " + e
          + "; these methods must only return constants";
    } finally {
      try {
        objects.ungetService(method);
      } catch (RuntimeException e) {
        // the service was unregistered meanwhile; nothing left to release
      }
    }
  }

  /** @return the component's failure as DS reports it */
  static String activationFailure(Provider provider, ComponentRuntime components) {
    List<String> problems = components.problems(provider.reference().getBundle());
    return "the component did not activate: " + (problems.isEmpty()
        ? "DS returned no service object (see the log for the exception)" : String.join("; ", problems));
  }

  private static String disagreement(Provider provider, CompressionMethod method) {
    List<String> problems = new ArrayList<>();
    if (!provider.capability().equals(method.capability())) {
      problems.add("capability() returns '" + method.capability() + "' but compactor.capability is '"
          + provider.capability() + "'");
    }
    String stage = method.stage() == null ? "null" : method.stage().id();
    if (!provider.stage().equals(stage)) {
      problems.add("stage() returns " + stage + " but compactor.stage is " + provider.stage());
    }
    Set<String> opTypes = method.opTypes() == null ? Set.of() : new HashSet<>(method.opTypes());
    if (!opTypes.equals(new HashSet<>(provider.opTypes()))) {
      problems.add("opTypes() returns " + opTypes + " but compactor.op-types is " + provider.opTypes());
    }
    return problems.isEmpty() ? "" : "service properties disagree with the method: " + String.join("; ", problems)
        + "; make them agree (CompressionMethodContract checks this in the bundle's tests)";
  }
}
