package io.compactor.core.job;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The directories jobs may read from and write to. A request naming a path elsewhere is refused, so a
 * job submitted over Kafka cannot read or overwrite arbitrary files of the platform's host.
 *
 * @param roots absolute, normalized directories
 */
public record ArtifactRoots(List<Path> roots) {
  public ArtifactRoots {
    roots = roots.stream().map(p -> p.toAbsolutePath().normalize()).toList();
    if (roots.isEmpty()) {
      throw new IllegalArgumentException("at least one allowed artifact root is needed");
    }
  }

  /** @return a path or {@code file:} URI as an absolute normalized path */
  public static Path resolve(String pathOrUri) {
    Path p = pathOrUri.startsWith("file:") ? Path.of(URI.create(pathOrUri)) : Path.of(pathOrUri);
    return p.toAbsolutePath().normalize();
  }

  /**
   * @return the first problem with the request's paths: {@code <field>: <path> is outside the allowed
   *     artifact roots ...}, or empty when all lie under a root
   */
  public Optional<String> check(JobRequest r) {
    List<String[]> fields = new ArrayList<>();
    fields.add(new String[] {"model", r.model()});
    fields.add(new String[] {"config", r.config()});
    r.calibration().ifPresent(c -> fields.add(new String[] {"calibration", c}));
    r.eval().ifPresent(e -> fields.add(new String[] {"eval", e}));
    fields.add(new String[] {"output", r.output()});
    for (String[] f : fields) {
      Path p;
      try {
        p = resolve(f[1]);
      } catch (RuntimeException e) {
        return Optional.of(f[0] + ": '" + f[1] + "' is not a path or file: URI (" + e.getMessage() + ")");
      }
      if (roots.stream().noneMatch(p::startsWith)) {
        return Optional.of(f[0] + ": " + p + " is outside the allowed artifact roots " + roots
            + "; move the file there or start the platform with --allowed-root");
      }
    }
    return Optional.empty();
  }
}
