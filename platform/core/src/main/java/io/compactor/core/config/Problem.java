package io.compactor.core.config;

import java.util.Objects;

/**
 * One thing wrong with a configuration: where it is (a config path such as
 * {@code override_layer_configs[2].prune_config}) and a sentence of the form
 * {@code <path>: <what is wrong>, got <value>; <how to fix>}.
 *
 * @param path the config path; empty for the configuration as a whole or a syntax error
 * @param message the full sentence, starting with the path when there is one
 */
public record Problem(String path, String message) {
  public Problem {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(message, "message");
    if (message.isBlank()) {
      throw new IllegalArgumentException("a problem needs a message");
    }
  }

  /**
   * @param path the config path, or empty
   * @param what what is wrong
   * @param got the offending value as the user wrote it
   * @param fix how to fix it
   * @return the problem, worded {@code <path>: <what>, got <got>; <fix>}
   */
  public static Problem of(String path, String what, String got, String fix) {
    String where = path.isEmpty() ? "" : path + ": ";
    return new Problem(path, where + what + ", got " + got + "; " + fix);
  }

  @Override
  public String toString() {
    return message;
  }
}
