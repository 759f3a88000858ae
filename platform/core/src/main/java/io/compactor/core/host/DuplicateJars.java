package io.compactor.core.host;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.Version;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a second jar of one bundle (same symbolic name and version) from taking over the first. FileInstall
 * serves such a copy by updating the first jar's bundle, so deleting the copy would uninstall that bundle
 * while the first jar stays. The host registers a FileInstall {@code ArtifactInstaller} that claims copies and
 * installs nothing; the listing reports them. The original is the jar a bundle is installed from, or, when
 * none is, the first by name.
 */
final class DuplicateJars {
  private static final Logger LOG = LoggerFactory.getLogger(DuplicateJars.class);
  private static final String INSTALLER = "org.apache.felix.fileinstall.ArtifactInstaller";
  private final BundleContext context;
  private final Path watched;
  private final BundleProblems problems;
  /** Copies FileInstall handed to the guard. */
  private final Set<Path> claimed = ConcurrentHashMap.newKeySet();
  /** Copies FileInstall took back from the guard (their original is gone) and has yet to install. */
  private final Set<Path> released = ConcurrentHashMap.newKeySet();

  DuplicateJars(BundleContext context, Path watched, BundleProblems problems) {
    this.context = context;
    this.watched = watched;
    this.problems = problems;
  }

  /** A bundle's identity as the framework checks it for uniqueness. */
  private record Identity(String symbolicName, Version version) {
    static Optional<Identity> of(Path jar) {
      try (JarFile file = new JarFile(jar.toFile())) {
        Attributes main = file.getManifest() == null ? null : file.getManifest().getMainAttributes();
        String bsn = main == null ? null : main.getValue(Constants.BUNDLE_SYMBOLICNAME);
        if (bsn == null) {
          return Optional.empty();
        }
        return Optional.of(new Identity(bsn.replaceAll(";.*", "").trim(),
            Version.parseVersion(main.getValue(Constants.BUNDLE_VERSION))));
      } catch (IOException | IllegalArgumentException e) {
        return Optional.empty(); // not a bundle jar: FileInstall refuses it and the listing says why
      }
    }

    boolean names(Bundle b) {
      return symbolicName.equals(b.getSymbolicName()) && version.equals(b.getVersion());
    }
  }

  /** @return the jar {@code file} is a copy of, when it is one */
  Optional<Path> originalOf(Path file) {
    Optional<Identity> id = Identity.of(file);
    if (id.isEmpty()) {
      return Optional.empty();
    }
    for (Bundle b : context.getBundles()) {
      if (id.get().names(b)) {
        return problems.file(b.getLocation()).filter(f -> !f.equals(file) && Files.exists(f));
      }
    }
    return jars().filter(f -> id.equals(Identity.of(f))).findFirst().filter(f -> !f.equals(file));
  }

  /**
   * Registers the guard with FileInstall: after FileInstall is installed, before it starts scanning. The
   * interface comes from FileInstall's bundle, so the guard is a proxy of it.
   */
  void register(Bundle fileInstall) {
    Class<?> installer;
    try {
      installer = fileInstall.loadClass(INSTALLER);
    } catch (ClassNotFoundException e) {
      throw new HostException("host: FileInstall " + fileInstall.getVersion() + " has no " + INSTALLER, e);
    }
    Object guard = Proxy.newProxyInstance(installer.getClassLoader(), new Class<?>[] {installer},
        (proxy, method, args) -> switch (method.getName()) {
          case "canHandle" -> isCopy((File) args[0]);
          case "install" -> {
            Path copy = ((File) args[0]).toPath().toAbsolutePath().normalize();
            claimed.add(copy);
            LOG.warn("{}: not installed, a copy of {} (same symbolic name and version)", copy.getFileName(),
                originalOf(copy).map(Path::getFileName).map(Path::toString).orElse("another jar"));
            yield null;
          }
          case "uninstall" -> {
            Path copy = ((File) args[0]).toPath().toAbsolutePath().normalize();
            if (claimed.remove(copy) && Files.exists(copy)) {
              released.add(copy);
            }
            yield null;
          }
          case "update" -> null;
          case "hashCode" -> System.identityHashCode(proxy);
          case "equals" -> proxy == args[0];
          case "toString" -> "compactor duplicate-jar guard";
          default -> null;
        });
    context.registerService(INSTALLER, guard, null);
  }

  private boolean isCopy(File f) {
    Path p = f.toPath().toAbsolutePath().normalize();
    return p.getFileName().toString().endsWith(".jar") && watched.equals(p.getParent()) && originalOf(p).isPresent();
  }

  /**
   * Hands copies whose original is gone back to FileInstall, which acts only on files that change: touching
   * a claimed copy makes it ask the guard again (no longer a copy: it takes the file back), touching it once
   * more makes it install the jar as a new one.
   */
  void repair() {
    for (Path copy : List.copyOf(claimed)) {
      if (Files.exists(copy) && originalOf(copy).isEmpty()) {
        touch(copy);
      }
    }
    for (Path copy : List.copyOf(released)) {
      released.remove(copy);
      if (Files.exists(copy)) {
        LOG.info("{}: its original is gone; installing this copy", copy.getFileName());
        touch(copy);
      }
    }
  }

  private static void touch(Path file) {
    try {
      Files.setLastModifiedTime(file, FileTime.from(Instant.now()));
    } catch (IOException e) {
      LOG.warn("{}: cannot touch it to have FileInstall look at it again ({}); copy it in anew", file.getFileName(),
          e.toString());
    }
  }

  private Stream<Path> jars() {
    try (Stream<Path> files = Files.list(watched)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".jar") && Files.isRegularFile(f)).sorted()
          .toList().stream();
    } catch (IOException e) {
      return Stream.empty();
    }
  }
}
