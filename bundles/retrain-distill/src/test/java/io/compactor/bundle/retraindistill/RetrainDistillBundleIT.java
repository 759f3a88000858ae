package io.compactor.bundle.retraindistill;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The built jar: a leaf bundle that exports nothing and imports only the platform, DJL's API (at the minor version
 * it was built with) and the JDK. It registers no capability yet, so {@code BundleJarContract}'s component check
 * does not apply; the import rule is the same.
 */
@Tag("integration")
class RetrainDistillBundleIT {
  private static final List<String> ALLOWED = List.of("io.compactor.api", "io.compactor.onnx", "io.compactor.retrain",
      "ai.djl");

  @Test
  void theJarExportsNothingAndImportsOnlyThePlatformDjlAndTheJdk() throws Exception {
    String jar = System.getProperty("bundle.jar");
    assertNotNull(jar, "system property bundle.jar is not set; run through Maven (mvn verify)");
    assertTrue(Files.isRegularFile(Path.of(jar)), jar + " not built");
    Attributes manifest;
    try (JarFile file = new JarFile(jar)) {
      manifest = file.getManifest().getMainAttributes();
    }
    assertNull(manifest.getValue("Export-Package"), "a bundle exports nothing");
    String imports = manifest.getValue("Import-Package");
    for (String clause : imports.split(",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)")) {
      String pkg = clause.split(";")[0].trim();
      assertTrue(pkg.startsWith("java.") || ALLOWED.stream().anyMatch(p -> pkg.equals(p) || pkg.startsWith(p + ".")),
          jar + " imports " + pkg + "; allowed: " + ALLOWED + " and java.*");
      if (pkg.startsWith("ai.djl")) {
        assertTrue(clause.contains("version=\"[0.36.0,0.37)\""), "DJL import without the built minor: " + clause);
      }
    }
  }
}
