package io.compactor.bundle.retraindistill;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.api.CompressionMethod;
import io.compactor.api.testing.BundleJarContract;
import java.util.List;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The built jar: a leaf bundle whose component descriptor registers {@link DistillMethod}, importing only the
 * platform, DJL's API (at the minor version it was built with), the component API (the engine is taken through
 * {@code ComponentServiceObjects}, only when a retraining runs) and the JDK.
 */
@Tag("integration")
class RetrainDistillBundleIT extends BundleJarContract {
  @Override
  protected CompressionMethod method() {
    return new DistillMethod();
  }

  @Override
  protected List<String> allowedImports() {
    return List.of("io.compactor.api", "io.compactor.onnx", "io.compactor.retrain", "ai.djl",
        "org.osgi.service.component");
  }

  @Test
  void djlIsImportedAtTheMinorItWasBuiltWith() throws Exception {
    String imports;
    try (JarFile file = new JarFile(jar().toFile())) {
      imports = file.getManifest().getMainAttributes().getValue("Import-Package");
    }
    for (String clause : imports.split(",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)")) {
      if (clause.trim().startsWith("ai.djl")) {
        assertTrue(clause.contains("version=\"[0.36.0,0.37)\""), "DJL import without the built minor: " + clause);
      }
    }
    assertTrue(imports.contains("ai.djl.engine"), "the jar trains on DJL: " + imports);
  }
}
