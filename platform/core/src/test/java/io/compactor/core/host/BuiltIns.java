package io.compactor.core.host;

import java.nio.file.Files;
import java.nio.file.Path;

/** The real bundle jars the build produced: the built-ins copied into {@code bundles/}, and the example. */
final class BuiltIns {
  static final String QUANT_INT8 = "bundle-quant-int8.jar";
  static final String PRUNE_FILTER = "bundle-prune-filter.jar";

  private BuiltIns() {}

  /** @return the built-in bundle jar {@code name} from {@code bundles/} */
  static Path jar(String name) {
    return existing(Path.of(property("compactor.it.bundles")).resolve(name));
  }

  /** @return the jar of {@code bundles/retrain-distill} (built, not yet copied into {@code bundles/}) */
  static Path retrain() {
    return existing(Path.of(property("compactor.it.retrain")));
  }

  /** @return the jar of {@code bundles/example-magnitude-2of4} */
  static Path example() {
    return existing(Path.of(property("compactor.it.example")));
  }

  private static String property(String key) {
    String value = System.getProperty(key);
    if (value == null) {
      throw new AssertionError("system property " + key + " is not set; run the integration tests through "
          + "Maven (mvn verify), whose failsafe configuration sets it");
    }
    return value;
  }

  private static Path existing(Path jar) {
    if (!Files.isRegularFile(jar)) {
      throw new AssertionError(jar + " does not exist; build it first: mvn -B verify -pl platform/core -am");
    }
    return jar;
  }
}
