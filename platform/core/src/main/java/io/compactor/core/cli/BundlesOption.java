package io.compactor.core.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** The {@code --bundles DIR} option of the commands that start the OSGi host. */
final class BundlesOption {
  @Option(names = "--bundles", paramLabel = "DIR", defaultValue = "bundles",
      description = "The bundle jars the host loads and watches (default: ${DEFAULT-VALUE}).")
  Path dir;

  /** @return whether the directory exists */
  boolean exists() {
    return Files.isDirectory(dir);
  }

  /**
   * @return the directory
   * @throws ParameterException naming the option when it does not exist
   */
  Path require(CommandSpec spec) {
    if (!exists()) {
      throw new ParameterException(spec.commandLine(), "--bundles: not a directory, got " + dir
          + "; build first (mvn -B -q package -DskipTests fills bundles/) or point --bundles at the bundle jars");
    }
    return dir;
  }
}
