package io.compactor.core.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

/**
 * A watched directory as a deployment script uses it: jars arrive by an atomic move of a copy written next
 * to them (so FileInstall never sees half a file) and leave by deletion.
 */
final class Watched {
  private final Path dir;

  Watched(Path dir) {
    this.dir = dir;
  }

  Path dir() {
    return dir;
  }

  /** Copies {@code jar} in as {@code name}, replacing a jar of that name; returns the target. */
  Path drop(Path jar, String name) throws IOException {
    Path staged = dir.resolve("." + name + ".staged");
    Files.copy(jar, staged, StandardCopyOption.REPLACE_EXISTING);
    Files.setLastModifiedTime(staged, FileTime.from(Instant.now()));
    return Files.move(staged, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** Deletes the jar {@code name}. */
  void delete(String name) throws IOException {
    Files.delete(dir.resolve(name));
  }
}
