package io.compactor.core.artifact;

import java.nio.file.Path;
import java.util.List;

/** Paths (already confined to the allowed roots): nothing to stage, the job reads and writes in place. */
final class LocalArtifactStore implements ArtifactStore {
  @Override
  public Path fetchFile(String field, String uri, Path stage) {
    return Path.of(uri);
  }

  @Override
  public Path fetchModel(String field, String uri, Path stage) {
    return Path.of(uri);
  }

  @Override
  public Path fetchDirectory(String field, String uri, Path stage) {
    return Path.of(uri);
  }

  @Override
  public Path outputDirectory(String field, String uri, Path stage) {
    return Path.of(uri);
  }

  @Override
  public List<String> publish(String field, String uri, List<Path> files) {
    return files.stream().map(Path::toString).toList();
  }
}
