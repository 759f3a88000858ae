package io.compactor.api.testing;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.api.CompressionMethod;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * What a built compression bundle jar must be, as a kit each bundle's integration tests extend: a leaf
 * bundle that exports nothing, imports only the platform ({@code io.compactor.api}, {@code .onnx},
 * {@code .retrain}), the logging API the host exports ({@code org.slf4j}) and the JDK (a bundle that calls
 * ONNX Runtime directly adds {@code ai.onnxruntime} through
 * {@link #allowedImports()}), and carries the component descriptor that registers its method.
 * The jar comes from the system property {@code bundle.jar} (set by the failsafe configuration).
 */
public abstract class BundleJarContract {
  /** @return the method the bundle registers */
  protected abstract CompressionMethod method();

  /** @return the packages (with their subpackages) the jar may import besides {@code java.*} */
  protected List<String> allowedImports() {
    return List.of("io.compactor.api", "io.compactor.onnx", "io.compactor.retrain", "org.slf4j");
  }

  /** @return the built jar */
  protected Path jar() {
    String jar = System.getProperty("bundle.jar");
    assertNotNull(jar, "system property bundle.jar is not set; point it at the built jar in the failsafe configuration");
    assertTrue(Files.isRegularFile(Path.of(jar)), "bundle jar " + jar + " not built; run mvn verify");
    return Path.of(jar);
  }

  @Test
  void theJarExportsNothingAndImportsOnlyThePlatformAndTheJdk() throws IOException {
    Attributes manifest;
    try (JarFile jar = new JarFile(jar().toFile())) {
      manifest = jar.getManifest().getMainAttributes();
    }
    assertNull(manifest.getValue("Export-Package"), jar() + ": a compression bundle exports nothing");
    String imports = manifest.getValue("Import-Package");
    assertNotNull(imports, jar() + ": no Import-Package");
    // attributes may quote version ranges with commas inside; drop quoted parts before splitting
    List<String> allowed = allowedImports();
    for (String clause : imports.replaceAll("\"[^\"]*\"", "").split(",")) {
      String pkg = clause.split(";")[0].trim();
      assertTrue(pkg.startsWith("java.") || allowed.stream().anyMatch(p -> pkg.equals(p) || pkg.startsWith(p + ".")),
          jar() + " imports " + pkg + "; a bundle may import only " + allowed + " and java.*");
    }
  }

  @Test
  void theJarCarriesTheComponentDescriptorOfItsMethod() {
    ComponentXml.of(jar(), method().getClass()).assertDescribes(method());
  }
}
