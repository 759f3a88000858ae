package io.compactor.core.job;

import java.nio.file.Path;
import java.util.List;

/**
 * The store a job's outputs are kept in, as its attempts see it: a local directory tree or an object store,
 * addressed by locations as requests name them (a path, or {@code s3://bucket/key}). It has only what staging
 * an attempt's outputs apart, promoting the winner's and saving step results for resuming need, so that
 * {@link AttemptOutputs} and the chain's checkpoints run one code path whatever the store. Implemented in
 * {@code io.compactor.core.artifact}; failures are unchecked and name the location.
 */
public interface OutputStore {
  /**
   * @param prefix a directory or key prefix
   * @return the name, relative to {@code prefix} with {@code /} separators, of every file or object under it at
   *     any depth, sorted; empty when there are none
   */
  List<String> list(String prefix);

  /**
   * @param location a file or object
   * @return whether it exists
   */
  boolean exists(String location);

  /**
   * Stores a copy of a local file; a reader sees the old content or the new, never part of it.
   *
   * @param file the local file
   * @param location where it goes, replacing what is there
   */
  void put(Path file, String location);

  /**
   * @param location a file or object
   * @param file a local file to copy it into
   * @return whether it existed (and was copied)
   */
  boolean get(String location, Path file);

  /**
   * Puts {@code from} in the place of {@code to} and removes {@code from}: one atomic rename in a local
   * directory; a server-side copy, then a delete, in an object store.
   *
   * @param from a file or object
   * @param to where it goes, replacing what is there
   */
  void move(String from, String to);

  /**
   * @param location a file or object, or a directory or prefix: everything under it goes too; nothing there is
   *     fine
   */
  void delete(String location);

  /**
   * Removes a directory that holds nothing (atomically: one that just got a file stays). Object stores have no
   * directories, a prefix goes with its last object, so theirs does nothing.
   *
   * @param directory a directory or prefix
   */
  default void deleteIfEmpty(String directory) {}
}
