package io.compactor.core.health;

import java.util.Objects;

/**
 * The outcome of one health check.
 *
 * @param name what was checked, e.g. {@code broker}
 * @param up whether it passed
 * @param detail what was seen, in words: why it failed, or what it found
 */
public record Check(String name, boolean up, String detail) {
  public Check {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(detail, "detail");
  }

  /** @return a passed check */
  public static Check up(String name, String detail) {
    return new Check(name, true, detail);
  }

  /** @return a failed check */
  public static Check down(String name, String detail) {
    return new Check(name, false, detail);
  }
}
