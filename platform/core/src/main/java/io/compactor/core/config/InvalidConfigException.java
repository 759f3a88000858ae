package io.compactor.core.config;

import io.compactor.api.CompactorException;
import java.util.List;
import java.util.Objects;

/**
 * A configuration that cannot be used: every problem found in it (and, once a model is known, every
 * mismatch with the model), so one run shows them all. The message lists each problem on its own line,
 * followed by its line and column in the file when they are known.
 */
public class InvalidConfigException extends CompactorException {
  private static final long serialVersionUID = 1L;
  private final String source;
  private final List<Problem> problems;

  /**
   * @param source the configuration file, or a description of an in-memory configuration
   * @param problems what is wrong; at least one
   */
  public InvalidConfigException(String source, List<Problem> problems) {
    super(render(source, problems));
    this.source = source;
    this.problems = List.copyOf(problems);
  }

  private static String render(String source, List<Problem> problems) {
    Objects.requireNonNull(source, "source");
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("an invalid configuration needs at least one problem");
    }
    StringBuilder b = new StringBuilder(source).append(": ").append(problems.size())
        .append(problems.size() == 1 ? " problem" : " problems").append(" in the configuration");
    problems.forEach(p -> b.append(System.lineSeparator()).append("  - ").append(p));
    return b.toString();
  }

  /** @return the configuration file, or a description of an in-memory configuration */
  public String source() {
    return source;
  }

  /** @return every problem found in the file, then the model-dependent ones */
  public List<Problem> problems() {
    return problems;
  }
}
