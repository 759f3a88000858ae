package io.compactor.core.host;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;

/**
 * The bundles the host itself runs on: OSGi promises and functions, the DS API, ConfigAdmin, SCR and
 * FileInstall. Their jars travel inside {@code compactor.jar} under {@code system-bundles/} (copied there by
 * the build at generate-resources) and are installed from the classpath.
 */
final class InfrastructureBundles {
  /** Resource folder of the infrastructure jars. */
  static final String FOLDER = "system-bundles/";
  /** Jar names without {@code .jar}, in install order (dependencies first). */
  static final List<String> NAMES = List.of("org.osgi.util.function", "org.osgi.util.promise",
      "org.osgi.service.component", "org.apache.felix.configadmin", "org.apache.felix.scr",
      "org.apache.felix.fileinstall"); // last: beforeStart gets it

  private InfrastructureBundles() {}

  /**
   * Installs every infrastructure bundle, then starts them all; {@code beforeStart} gets FileInstall
   * installed and not yet scanning.
   *
   * @return the started bundles, in install order
   * @throws HostException naming the jar that is missing or failed
   */
  static List<Bundle> installAndStart(BundleContext context, Consumer<Bundle> beforeStart) {
    List<Bundle> bundles = new ArrayList<>();
    for (String name : NAMES) {
      String resource = FOLDER + name + ".jar";
      try (InputStream in = InfrastructureBundles.class.getClassLoader().getResourceAsStream(resource)) {
        if (in == null) {
          throw new HostException("host: " + resource + " is not on the classpath; build platform/core with Maven "
              + "(maven-dependency-plugin copies it at generate-resources)");
        }
        bundles.add(context.installBundle("compactor:" + resource, in));
      } catch (BundleException | java.io.IOException e) {
        throw new HostException("host: cannot install " + resource + ": " + e.getMessage()
            + "; the jar in compactor.jar is damaged, rebuild platform/core", e);
      }
    }
    beforeStart.accept(bundles.get(bundles.size() - 1));
    for (Bundle b : bundles) {
      try {
        b.start();
      } catch (BundleException e) {
        throw new HostException("host: infrastructure bundle " + b.getSymbolicName() + " " + b.getVersion()
            + " did not start: " + e.getMessage() + "; check the felix.* and osgi.* versions in the parent "
            + "pom", e);
      }
    }
    return bundles;
  }
}
