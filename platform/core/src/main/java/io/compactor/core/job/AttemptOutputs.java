package io.compactor.core.job;

import io.compactor.api.CompactorException;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Where one attempt of a job writes, so that files, which cannot fence themselves, never decide which
 * attempt's results count: every attempt writes into {@code <output>/.attempts/<attempt>/}; only the attempt
 * whose terminal event won the fenced write moves its files into {@code <output>}, a losing one deletes its
 * directory. Saved step results for resuming live in {@code <output>/.checkpoints/}, shared by the attempts.
 * Outputs in object storage ({@code s3://}) are written by the attempt directly (see docs/architecture.md).
 */
public final class AttemptOutputs {
  /** The directory of the attempts' staged outputs, inside the output directory. */
  public static final String ATTEMPTS = ".attempts";
  /** The directory of saved step results, inside the output directory. */
  public static final String CHECKPOINTS = ".checkpoints";

  private AttemptOutputs() {}

  /**
   * @param output the request's output directory
   * @param attempt the attempt's id
   * @return the directory the attempt writes to; {@code output} itself for object storage
   */
  public static String staged(String output, String attempt) {
    if (S3Location.isS3(output)) {
      return output;
    }
    return ArtifactRoots.resolve(output).resolve(ATTEMPTS).resolve(attempt).toString();
  }

  /**
   * @param outputDirectory the directory a job writes its outputs to (an attempt's or the output itself)
   * @return where the job's step results are saved for a later attempt to resume from
   */
  public static Path checkpoints(Path outputDirectory) {
    Path parent = outputDirectory.getParent();
    boolean attempt = parent != null && parent.getFileName() != null
        && parent.getFileName().toString().equals(ATTEMPTS);
    return (attempt ? parent.getParent() : outputDirectory).resolve(CHECKPOINTS);
  }

  /**
   * @param terminal the attempt's terminal event
   * @param output the request's output directory
   * @param staged the attempt's directory
   * @return the event naming the outputs where they will be once promoted
   */
  public static JobEvent renamed(JobEvent terminal, String output, String staged) {
    if (staged.equals(output) || !(terminal.data().get("outputs") instanceof Map<?, ?> outputs)) {
      return terminal;
    }
    Path from = Path.of(staged);
    Path to = ArtifactRoots.resolve(output);
    Map<String, Object> renamed = new LinkedHashMap<>();
    outputs.forEach((k, v) -> {
      Path p = Path.of(String.valueOf(v));
      renamed.put(String.valueOf(k), p.startsWith(from) ? to.resolve(from.relativize(p)).toString() : v);
    });
    Map<String, Object> data = new LinkedHashMap<>(terminal.data());
    data.put("outputs", renamed);
    return new JobEvent(terminal.type(), terminal.jobId(), terminal.time(), data);
  }

  /**
   * Moves the winning attempt's files into the output directory (each file replaced atomically) and removes
   * the attempt's directory and the saved step results, which the completed job no longer needs.
   *
   * @param output the request's output directory
   * @param staged the attempt's directory
   */
  public static void promote(String output, String staged) {
    if (staged.equals(output)) {
      return;
    }
    Path from = Path.of(staged);
    Path to = ArtifactRoots.resolve(output);
    try (DirectoryStream<Path> files = Files.newDirectoryStream(from)) {
      for (Path f : files) {
        if (Files.isRegularFile(f)) {
          move(f, to.resolve(f.getFileName().toString()));
        }
      }
    } catch (IOException e) {
      throw new CompactorException("output: cannot move the outputs of " + staged + " into " + output + " (" + e
          + ")", e);
    }
    // every other attempt is fenced by now: their leftovers (a crashed one's) go too
    delete(to.resolve(ATTEMPTS));
    delete(to.resolve(CHECKPOINTS));
  }

  /** Deletes a losing (fenced) attempt's directory; its saved step results stay for the winner. */
  public static void discard(String output, String staged) {
    if (!staged.equals(output)) {
      delete(Path.of(staged));
      deleteIfEmpty(Path.of(staged).getParent());
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void delete(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new CompactorException(dir + ": cannot delete (" + e + ")", e);
    }
  }

  private static void deleteIfEmpty(Path dir) {
    try {
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      // another attempt's directory is still there: its owner removes it
    }
  }
}
