package io.compactor.core.host;

import ai.djl.engine.Engine;
import ai.onnxruntime.OrtEnvironment;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The packages the host shares with bundles through {@code org.osgi.framework.system.packages.extra}: the
 * {@code Export-Package} headers of the Compactor platform jars on the classpath (symbolic names
 * {@code io.compactor.platform.*}, versions as bnd wrote them), the SLF4J API's (so bundles log through the
 * host's backend, versions as its manifest exports them), ONNX Runtime's packages at the version in its jar's
 * manifest, and every package of DJL's API jar ({@code ai.djl.*}: NDArrays, autograd, optimizers) at its
 * Specification-Version. Nothing is maintained by hand, so the versions cannot drift from the build.
 * DJL's PyTorch engine and JNI packages stay private to the host: libtorch is loaded once, by the host
 * ({@link TrainingEngine}).
 */
final class SystemPackages {
  /** Bundle-SymbolicName prefix of the platform jars whose packages bundles import. */
  static final String PLATFORM_PREFIX = "io.compactor.platform.";
  /** Bundle-SymbolicName of the slf4j-api jar; its {@code Export-Package} is re-exported as written. */
  static final String SLF4J_API = "slf4j.api";
  /** ONNX Runtime's Java packages; its jar is not a bundle, so they are exported at its Implementation-Version. */
  static final List<String> ONNX_RUNTIME_PACKAGES =
      List.of("ai.onnxruntime", "ai.onnxruntime.platform", "ai.onnxruntime.providers");

  /** One exported package. */
  record Export(String name, String version) {
    Export {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(version, "version");
    }

    String clause() {
      return name + ";version=\"" + version + "\"";
    }
  }

  private SystemPackages() {}

  /** @return the value of {@code org.osgi.framework.system.packages.extra} */
  static String header(List<Export> exports) {
    return exports.stream().map(Export::clause).collect(Collectors.joining(","));
  }

  /**
   * @param loader the host class loader
   * @return the platform packages and ONNX Runtime's, sorted by name
   * @throws HostException when the platform API's manifest or ONNX Runtime's version cannot be found
   */
  static List<Export> fromClasspath(ClassLoader loader) {
    TreeMap<String, Export> exports = new TreeMap<>();
    try {
      for (URL url : Collections.list(loader.getResources("META-INF/MANIFEST.MF"))) {
        Attributes main = read(url).getMainAttributes();
        String bsn = main.getValue("Bundle-SymbolicName");
        String header = main.getValue("Export-Package");
        if (bsn != null && (bsn.startsWith(PLATFORM_PREFIX) || bsn.equals(SLF4J_API)) && header != null) {
          parse(header).forEach(e -> exports.putIfAbsent(e.name(), e));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("host: cannot list the classpath manifests", e);
    }
    if (!exports.containsKey("io.compactor.api")) {
      throw new HostException("host: no platform jar on the classpath exports io.compactor.api, got exports "
          + exports.keySet() + "; run from the packaged jars (java -jar platform/core/target/compactor.jar) or "
          + "build with Maven so bnd writes the manifests");
    }
    String ort = OrtEnvironment.class.getPackage().getImplementationVersion();
    if (ort == null) {
      throw new HostException("host: the ONNX Runtime jar has no Implementation-Version in its manifest; "
          + "put com.microsoft.onnxruntime:onnxruntime on the classpath as released");
    }
    ONNX_RUNTIME_PACKAGES.forEach(p -> exports.put(p, new Export(p, ort)));
    String djl = Engine.class.getPackage().getSpecificationVersion();
    if (djl == null) {
      throw new HostException("host: the DJL api jar has no Specification-Version in its manifest; "
          + "put ai.djl:api on the classpath as released");
    }
    djlPackages().forEach(p -> exports.put(p, new Export(p, djl)));
    return List.copyOf(exports.values());
  }

  /** @return the packages holding classes in the jar (or directory) DJL's {@code Engine} was loaded from */
  static List<String> djlPackages() {
    TreeSet<String> packages = new TreeSet<>();
    try {
      Path source = Path.of(Engine.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      if (Files.isDirectory(source)) {
        try (Stream<Path> files = Files.walk(source)) {
          files.filter(f -> f.toString().endsWith(".class"))
              .forEach(f -> addPackage(packages, source.relativize(f).toString().replace('\\', '/')));
        }
      } else {
        try (JarFile jar = new JarFile(source.toFile())) {
          jar.stream().map(JarEntry::getName).filter(n -> n.endsWith(".class")).forEach(n -> addPackage(packages, n));
        }
      }
    } catch (IOException | URISyntaxException | RuntimeException e) {
      throw new HostException("host: cannot list DJL's packages from the jar of " + Engine.class.getName()
          + ": " + e.getMessage() + "; put ai.djl:api on the classpath as a jar", e);
    }
    packages.removeIf(p -> !p.startsWith("ai.djl"));
    return List.copyOf(packages);
  }

  private static void addPackage(Set<String> packages, String classFile) {
    int slash = classFile.lastIndexOf('/');
    if (slash > 0 && !classFile.startsWith("META-INF/")) {
      packages.add(classFile.substring(0, slash).replace('/', '.'));
    }
  }

  /**
   * Parses an {@code Export-Package} header: clauses separated by commas outside quotes, each
   * {@code pkg[;pkg...][;version=v][;directive:=value]}.
   *
   * @return one export per package; {@code 0.0.0} when a clause has no version
   */
  static List<Export> parse(String header) {
    List<Export> result = new ArrayList<>();
    for (String clause : split(header, ',')) {
      List<String> names = new ArrayList<>();
      String version = "0.0.0";
      for (String part : split(clause, ';')) {
        String p = part.trim();
        int eq = p.indexOf('=');
        if (eq < 0) {
          names.add(p);
        } else if (p.startsWith("version") && p.substring(0, eq).trim().equals("version")) {
          version = p.substring(eq + 1).trim().replace("\"", "");
        }
      }
      for (String name : names) {
        result.add(new Export(name, version));
      }
    }
    return result;
  }

  private static List<String> split(String text, char separator) {
    List<String> parts = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    boolean quoted = false;
    for (char c : text.toCharArray()) {
      if (c == '"') {
        quoted = !quoted;
      }
      if (c == separator && !quoted) {
        parts.add(current.toString());
        current.setLength(0);
      } else {
        current.append(c);
      }
    }
    if (!current.toString().isBlank()) {
      parts.add(current.toString());
    }
    return parts;
  }

  private static Manifest read(URL url) throws IOException {
    try (InputStream in = url.openStream()) {
      return new Manifest(in);
    }
  }
}
