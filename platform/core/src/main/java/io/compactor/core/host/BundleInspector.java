package io.compactor.core.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.namespace.PackageNamespace;
import org.osgi.framework.wiring.BundleRequirement;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.resource.Namespace;

/**
 * Explains every jar of the watched directory: matches files to installed bundles by location and says, for
 * each one that is not serving a capability, what is wrong and how to fix it.
 */
final class BundleInspector {
  private final BundleContext context;
  private final Path watched;
  private final BundleProblems problems;
  private final ComponentRuntime components;
  private final DuplicateJars duplicates;
  private final Duration settleTime;

  /** @param settleTime files changed more recently than this are reported PENDING without a verdict */
  BundleInspector(BundleContext context, Path watched, BundleProblems problems, ComponentRuntime components,
      DuplicateJars duplicates, Duration settleTime) {
    this.duplicates = duplicates;
    this.settleTime = settleTime;
    this.context = context;
    this.watched = watched;
    this.problems = problems;
    this.components = components;
  }

  /**
   * @param providers the registry's providers now, to name each bundle's capabilities and failures
   * @return one entry per jar file, then one per bundle still installed from a deleted file
   */
  List<BundleEntry> inspect(List<ProviderEntry> providers) {
    Map<Path, Bundle> installed = new HashMap<>();
    for (Bundle b : context.getBundles()) {
      problems.file(b.getLocation()).ifPresent(f -> installed.put(f, b));
    }
    List<BundleEntry> entries = new ArrayList<>();
    for (Path file : jars()) {
      Bundle b = installed.remove(file);
      entries.add(b == null ? notInstalled(file) : installed(file, b, providers));
    }
    installed.forEach((file, b) -> entries.add(new BundleEntry(file.getFileName().toString(), b.getBundleId(),
        name(b), b.getVersion().toString(), BundleState.REMOVING, capabilities(b, providers), "")));
    return entries;
  }

  /** Puts right what FileInstall cannot see: copies of jars whose original is gone. */
  void repair() {
    duplicates.repair();
  }

  private List<Path> jars() {
    try (Stream<Path> files = Files.list(watched)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".jar") && Files.isRegularFile(f)).sorted()
          .toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  private BundleEntry installed(Path file, Bundle b, List<ProviderEntry> providers) {
    List<String> capabilities = capabilities(b, providers);
    BundleState state;
    String problem = "";
    switch (b.getState()) {
      case Bundle.ACTIVE -> {
        if (problems.started(b.getBundleId())) {
          state = BundleState.ACTIVE;
          problem = activeProblem(b, capabilities, providers);
        } else {
          state = BundleState.CHANGING;
        }
      }
      case Bundle.RESOLVED -> {
        state = BundleState.RESOLVED;
        problem = problems.of(file).map(p -> "did not start: " + p + "; fix its activator or components")
            .orElse("");
      }
      case Bundle.INSTALLED -> {
        state = BundleState.INSTALLED;
        problem = missingRequirements(b).orElseGet(() -> problems.of(file).orElse(""));
      }
      default -> state = BundleState.CHANGING;
    }
    return new BundleEntry(file.getFileName().toString(), b.getBundleId(), name(b), b.getVersion().toString(),
        state, capabilities, problem);
  }

  private String activeProblem(Bundle b, List<String> capabilities, List<ProviderEntry> providers) {
    List<String> failed = providers.stream()
        .filter(p -> p.bundleId() == b.getBundleId() && p.version().equals(b.getVersion().toString())
            && p.state() == ProviderState.FAILED)
        .map(p -> p.capability() + ": " + p.reason()).toList();
    if (!failed.isEmpty()) {
      return String.join("; ", failed);
    }
    if (!capabilities.isEmpty()) {
      return "";
    }
    if (b.getHeaders().get("Service-Component") == null) {
      return "registers no CompressionMethod service: it has no Service-Component header; annotate a "
          + "CompressionMethod class with @Component and build with bnd-maven-plugin (see bundles/README.md)";
    }
    List<String> broken = components.problems(b);
    return "registers no CompressionMethod service" + (broken.isEmpty()
        ? ": its components provide other services; add service = CompressionMethod to the @Component"
        : ": " + String.join("; ", broken));
  }

  /** Asks the framework which declared requirements no installed bundle or host export satisfies. */
  private Optional<String> missingRequirements(Bundle b) {
    BundleRevision revision = b.adapt(BundleRevision.class);
    FrameworkWiring wiring = context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).adapt(FrameworkWiring.class);
    if (revision == null || wiring == null) {
      return Optional.empty();
    }
    List<String> missing = new ArrayList<>();
    for (BundleRequirement r : revision.getDeclaredRequirements(null)) {
      boolean optional = Namespace.RESOLUTION_OPTIONAL.equals(r.getDirectives().get(Namespace.REQUIREMENT_RESOLUTION_DIRECTIVE));
      if (!optional && wiring.findProviders(r).isEmpty()) {
        missing.add(describe(r));
      }
    }
    if (missing.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of("unresolved, missing " + String.join(", ", missing) + ": neither a bundle nor the host "
        + "exports it; import only what the host exports (io.compactor.api, io.compactor.onnx.*, "
        + "io.compactor.retrain, ai.onnxruntime) and embed other libraries in the bundle");
  }

  private static String describe(BundleRequirement r) {
    String filter = r.getDirectives().getOrDefault(Namespace.REQUIREMENT_FILTER_DIRECTIVE, "");
    if (PackageNamespace.PACKAGE_NAMESPACE.equals(r.getNamespace())) {
      String pkg = filter.replaceAll(".*\\(osgi\\.wiring\\.package=([^)]*)\\).*", "$1");
      return "import " + pkg + (filter.contains("version") ? " " + filter.replaceAll(".*?(\\(version[^)]*\\)).*", "$1")
          : "");
    }
    return r.getNamespace() + " " + filter;
  }

  private BundleEntry notInstalled(Path file) {
    String name = file.getFileName().toString();
    if (young(file)) {
      return new BundleEntry(name, -1, "", "", BundleState.PENDING, List.of(), "");
    }
    Manifest manifest;
    try (JarFile jar = new JarFile(file.toFile())) {
      manifest = jar.getManifest();
    } catch (IOException e) {
      return rejected(name, "", "", "not a jar file (" + e.getMessage() + "); remove it or replace it with a bundle "
          + "jar built as bundles/README.md shows");
    }
    Attributes main = manifest == null ? new Attributes() : manifest.getMainAttributes();
    String bsn = Optional.ofNullable(main.getValue(Constants.BUNDLE_SYMBOLICNAME)).orElse("");
    String version = Optional.ofNullable(main.getValue(Constants.BUNDLE_VERSION)).orElse("");
    if (bsn.isEmpty()) {
      return rejected(name, bsn, version, "not an OSGi bundle: its manifest has no Bundle-SymbolicName; build it "
          + "with bnd-maven-plugin as bundles/README.md shows");
    }
    Optional<Path> original = duplicates.originalOf(file);
    if (original.isPresent()) {
      return rejected(name, bsn.replaceAll(";.*", ""), version, "a copy of " + original.get().getFileName()
          + " (same symbolic name and version), not installed: remove it, or raise its Bundle-Version to install "
          + "it beside the other");
    }
    Optional<String> reported = problems.of(file);
    if (reported.isPresent()) {
      return rejected(name, bsn.replaceAll(";.*", ""), version, "FileInstall could not install it: "
          + reported.get() + "; fix the jar (a changed file is retried)");
    }
    return new BundleEntry(name, -1, bsn.replaceAll(";.*", ""), version, BundleState.PENDING, List.of(), "");
  }

  private boolean young(Path file) {
    try {
      Instant changed = Files.getLastModifiedTime(file).toInstant();
      return changed.plus(settleTime).isAfter(Instant.now());
    } catch (IOException e) {
      return true;
    }
  }

  private static BundleEntry rejected(String file, String bsn, String version, String problem) {
    return new BundleEntry(file, -1, bsn, version, BundleState.REJECTED, List.of(), problem);
  }

  private static List<String> capabilities(Bundle b, List<ProviderEntry> providers) {
    return List.copyOf(providers.stream()
        .filter(p -> p.bundleId() == b.getBundleId() && p.version().equals(b.getVersion().toString())
            && p.state() != ProviderState.FAILED)
        .map(ProviderEntry::capability).collect(Collectors.toCollection(TreeSet::new)));
  }

  private static String name(Bundle b) {
    return b.getSymbolicName() == null ? "" : b.getSymbolicName();
  }
}
