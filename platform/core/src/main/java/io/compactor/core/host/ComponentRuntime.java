package io.compactor.core.host;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * Asks Declarative Services why a bundle's components are not working: failed activation (with DS's failure
 * text), unsatisfied references or missing configuration. SCR's runtime API lives in a bundle, not on the
 * host classpath, so it is called by reflection through SCR's own class loader.
 */
final class ComponentRuntime {
  private static final String RUNTIME = "org.osgi.service.component.runtime.ServiceComponentRuntime";
  private static final String DESCRIPTION = "org.osgi.service.component.runtime.dto.ComponentDescriptionDTO";
  private static final int UNSATISFIED_CONFIGURATION = 1;
  private static final int UNSATISFIED_REFERENCE = 2;
  private static final int FAILED_ACTIVATION = 16;
  private final BundleContext context;

  ComponentRuntime(BundleContext context) {
    this.context = context;
  }

  /** @return one sentence per broken component of {@code bundle}; empty when all work or DS is absent */
  List<String> problems(Bundle bundle) {
    List<String> problems = new ArrayList<>();
    if (bundle == null) {
      return problems;
    }
    ServiceReference<?>[] refs;
    try {
      refs = context.getAllServiceReferences(RUNTIME, null);
    } catch (InvalidSyntaxException | IllegalStateException e) {
      return problems;
    }
    if (refs == null) {
      return problems;
    }
    Object scr = context.getService(refs[0]);
    if (scr == null) {
      return problems;
    }
    try {
      ClassLoader loader = scr.getClass().getClassLoader();
      Class<?> api = loader.loadClass(RUNTIME);
      Method descriptions = api.getMethod("getComponentDescriptionDTOs", Bundle[].class);
      Method configurations = api.getMethod("getComponentConfigurationDTOs", loader.loadClass(DESCRIPTION));
      Method enabled = api.getMethod("isComponentEnabled", loader.loadClass(DESCRIPTION));
      for (Object description : (Collection<?>) descriptions.invoke(scr, (Object) new Bundle[] {bundle})) {
        String name = (String) field(description, "name");
        Collection<?> configs = (Collection<?>) configurations.invoke(scr, description);
        if (!(Boolean) enabled.invoke(scr, description)) {
          problems.add("component " + name + " is disabled");
        }
        for (Object config : configs) {
          describe(name, config).ifPresent(problems::add);
        }
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      problems.add("DS did not say why (" + e + ")");
    } finally {
      context.ungetService(refs[0]);
    }
    return problems;
  }

  private static Optional<String> describe(String name, Object config) throws ReflectiveOperationException {
    int state = (Integer) field(config, "state");
    if (state == FAILED_ACTIVATION) {
      String failure = String.valueOf(field(config, "failure"));
      return Optional.of("component " + name + " failed to activate: " + failure.lines().findFirst()
          .orElse(failure));
    }
    if (state == UNSATISFIED_REFERENCE) {
      List<String> missing = new ArrayList<>();
      for (Object ref : (Object[]) field(config, "unsatisfiedReferences")) {
        missing.add(field(ref, "name") + " " + field(ref, "target"));
      }
      return Optional.of("component " + name + " waits for references " + missing);
    }
    if (state == UNSATISFIED_CONFIGURATION) {
      return Optional.of("component " + name + " waits for its required configuration");
    }
    return Optional.empty();
  }

  private static Object field(Object dto, String name) throws ReflectiveOperationException {
    Field f = dto.getClass().getField(name);
    return f.get(dto);
  }
}
