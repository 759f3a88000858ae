package io.compactor.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code compactor bundles} on a directory with real bundle jars, run in-process. */
@Tag("integration")
class BundlesCommandIT {
  @TempDir Path dir;

  @Test
  void listsEachCapabilityWithItsProviderAndEachJarWithItsProblem() throws Exception {
    Path builtIns = Path.of(System.getProperty("compactor.it.bundles"));
    Files.copy(builtIns.resolve("bundle-quant-int8.jar"), dir.resolve("bundle-quant-int8.jar"));
    Files.copy(builtIns.resolve("bundle-prune-filter.jar"), dir.resolve("bundle-prune-filter.jar"));
    Files.copy(Path.of(System.getProperty("compactor.it.example")), dir.resolve("example.jar"));
    Files.writeString(dir.resolve("broken.jar"), "not a jar");

    Cli.Run r = Cli.run("bundles", "--bundles", dir.toString());

    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains(": 4 jar(s), 3 active, 1 with problems"), r.out());
    assertTrue(r.out().matches("(?s).*quant\\.int8\\s+quantization\\s+io\\.compactor\\.bundle\\.quantint8\\s+\\S+\\s+0"
        + "\\s+chosen\\s+only provider.*"), r.out());
    assertTrue(r.out().matches("(?s).*sparsity\\.2of4\\s+sparsity\\s+io\\.compactor\\.bundle\\.magnitude2of4\\s+\\S+"
        + "\\s+-10\\s+chosen\\s+only provider.*"), r.out());
    assertTrue(r.out().matches("(?s).*broken\\.jar\\s+-\\s+-\\s+rejected\\s+-\\s+not a jar file.*"), r.out());
  }

  @Test
  void aMissingDirectoryIsAUsageError() {
    Cli.Run r = Cli.run("bundles", "--bundles", dir.resolve("nope").toString());

    assertEquals(2, r.code());
    assertTrue(r.err().contains("--bundles: not a directory, got " + dir.resolve("nope")), r.err());
  }
}
