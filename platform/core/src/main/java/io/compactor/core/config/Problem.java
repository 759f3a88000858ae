package io.compactor.core.config;

import java.util.Objects;

/**
 * One thing wrong with a configuration: where it is (a config path such as
 * {@code override_layer_configs[2].prune_config}, and the line and column in the file when known) and a
 * sentence of the form {@code <path>: <what is wrong>, got <value>; <how to fix>}.
 *
 * @param path the config path; empty for the configuration as a whole or a syntax error outside any field
 * @param message the full sentence, starting with the path when there is one; it never holds the line and
 *     column, so the same mistake reads the same in a {@code .cfg} and a {@code .json} file
 * @param line 1-based line in the file, 0 when not known (e.g. a rule about the whole configuration)
 * @param column 1-based column in the file, 0 when not known
 */
public record Problem(String path, String message, int line, int column) {
  public Problem {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(message, "message");
    if (message.isBlank()) {
      throw new IllegalArgumentException("a problem needs a message");
    }
    if (line < 0 || column < 0) {
      throw new IllegalArgumentException("line and column are 1-based, or 0 when not known");
    }
  }

  /** A problem without a position in the file. */
  public Problem(String path, String message) {
    this(path, message, 0, 0);
  }

  /**
   * @param path the config path, or empty
   * @param what what is wrong
   * @param got the offending value as the user wrote it
   * @param fix how to fix it
   * @return the problem, worded {@code <path>: <what>, got <got>; <fix>}, without a position
   */
  public static Problem of(String path, String what, String got, String fix) {
    String where = path.isEmpty() ? "" : path + ": ";
    return new Problem(path, where + what + ", got " + got + "; " + fix);
  }

  /**
   * @param atLine 1-based line, or 0
   * @param atColumn 1-based column, or 0
   * @return this problem at that position in the file
   */
  public Problem at(int atLine, int atColumn) {
    return new Problem(path, message, atLine, atColumn);
  }

  /** @return whether the line in the file is known */
  public boolean located() {
    return line > 0;
  }

  /** @return the message, followed by {@code (line L, column C)} when the position is known */
  @Override
  public String toString() {
    return located() ? message + " (line " + line + ", column " + column + ")" : message;
  }
}
