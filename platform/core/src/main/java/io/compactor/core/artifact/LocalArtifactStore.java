package io.compactor.core.artifact;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Paths (already confined to the allowed roots): nothing to stage, the job reads and writes in place. As an
 * {@link io.compactor.core.job.OutputStore}, files are replaced by an atomic rename, so a reader never sees
 * half of one.
 */
final class LocalArtifactStore implements ArtifactStore {
  private static final String FIELD = "output";

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

  @Override
  public List<String> list(String prefix) {
    Path dir = Path.of(prefix);
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> all = Files.walk(dir)) {
      return all.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString().replace(dir.getFileSystem()
          .getSeparator(), "/")).sorted().toList();
    } catch (IOException e) {
      throw new ArtifactException(FIELD, prefix, "cannot be listed (" + e + ")", e);
    }
  }

  @Override
  public boolean exists(String location) {
    return Files.exists(Path.of(location));
  }

  @Override
  public void put(Path file, String location) {
    Path to = Path.of(location);
    try {
      Files.createDirectories(to.getParent());
      Path tmp = Files.createTempFile(to.getParent(), to.getFileName().toString(), ".tmp");
      try {
        Files.copy(file, tmp, StandardCopyOption.REPLACE_EXISTING);
        replace(tmp, to);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new ArtifactException(FIELD, location, "cannot be written (" + e + ")", e);
    }
  }

  @Override
  public boolean get(String location, Path file) {
    try {
      Files.copy(Path.of(location), file, StandardCopyOption.REPLACE_EXISTING);
      return true;
    } catch (NoSuchFileException e) {
      return false;
    } catch (IOException e) {
      throw new ArtifactException(FIELD, location, "cannot be read (" + e + ")", e);
    }
  }

  @Override
  public void move(String from, String to) {
    try {
      Path target = Path.of(to);
      Files.createDirectories(target.getParent());
      replace(Path.of(from), target);
    } catch (IOException e) {
      throw new ArtifactException(FIELD, to, "cannot be replaced by " + from + " (" + e + ")", e);
    }
  }

  @Override
  public void delete(String location) {
    Path p = Path.of(location);
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> all = Files.walk(p)) {
      for (Path f : all.sorted(Comparator.reverseOrder()).toList()) {
        try {
          Files.deleteIfExists(f);
        } catch (DirectoryNotEmptyException e) {
          // a file written meanwhile (a fenced attempt still running): its owner deletes it
        }
      }
    } catch (IOException | UncheckedIOException e) {
      throw new ArtifactException(FIELD, location, "cannot be deleted (" + e + ")", e);
    }
  }

  @Override
  public void deleteIfEmpty(String directory) {
    try {
      Files.deleteIfExists(Path.of(directory));
    } catch (DirectoryNotEmptyException e) {
      // another attempt's directory is still there: its owner removes it
    } catch (IOException e) {
      throw new ArtifactException(FIELD, directory, "cannot be deleted (" + e + ")", e);
    }
  }

  private static void replace(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
