package io.compactor.core.host;

import aQute.bnd.osgi.Builder;
import aQute.bnd.osgi.Jar;
import io.compactor.api.CompressionMethod;
import io.compactor.onnx.graph.Graph;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.osgi.framework.FrameworkUtil;
import org.osgi.service.component.annotations.Component;

/**
 * Builds real bundle jars for integration tests with bnd, from classes compiled in this test module (package
 * {@code io.compactor.core.host.testbundles.*}), the way bnd-maven-plugin builds the real bundles.
 */
public final class TestBundles {
  public static final String PACKAGE = "io.compactor.core.host.testbundles.";

  private TestBundles() {}

  /**
   * @param dir where to write the jar
   * @param bsn Bundle-SymbolicName, e.g. {@code test.slow}
   * @param version Bundle-Version, e.g. {@code 1.0.0}
   * @param pkg the test-bundle subpackage holding the bundle's classes, e.g. {@code slow}
   * @param headers extra manifest headers or bnd instructions
   * @return the jar, named {@code <bsn>-<version>.jar}
   */
  public static Path build(Path dir, String bsn, String version, String pkg, Map<String, String> headers) {
    try (Builder b = new Builder()) {
      b.setProperty("Bundle-SymbolicName", bsn);
      b.setProperty("Bundle-Version", version);
      b.setProperty("Private-Package", PACKAGE + pkg);
      headers.forEach(b::setProperty);
      for (Class<?> onClasspath : new Class<?>[] {TestBundles.class, CompressionMethod.class, Graph.class,
          FrameworkUtil.class, Component.class, org.slf4j.Logger.class}) {
        b.addClasspath(location(onClasspath));
      }
      Jar jar = b.build();
      if (!b.isOk()) {
        throw new AssertionError(bsn + " " + version + ": bnd could not build the test bundle: " + b.getErrors());
      }
      Path out = dir.resolve(bsn + "-" + version + ".jar");
      jar.write(out.toFile());
      return out;
    } catch (Exception e) {
      throw new AssertionError(bsn + " " + version + ": bnd could not build the test bundle", e);
    }
  }

  /** @return a jar with a manifest but no OSGi headers: a library, not a bundle */
  static Path plainJar(Path dir, String name) throws IOException {
    Manifest m = new Manifest();
    m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    m.getMainAttributes().putValue("Implementation-Title", "not a bundle");
    Path out = dir.resolve(name);
    try (OutputStream file = Files.newOutputStream(out); JarOutputStream jar = new JarOutputStream(file, m)) {
      jar.flush();
    }
    return out;
  }

  private static File location(Class<?> type) {
    try {
      return new File(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(type + " has no file location", e);
    }
  }
}
