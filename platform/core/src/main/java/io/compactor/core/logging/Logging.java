package io.compactor.core.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.LoggerFactory;

/** Log levels for commands whose own output is the point ({@code demo}, {@code compress}, {@code plan}). */
public final class Logging {
  /**
   * Kafka's broker and clients and the Apache libraries warn about routine things (an empty metadata log), and
   * DJL warns on every machine without a GPU that it found none.
   */
  private static final List<String> THIRD_PARTY = List.of("org.apache", "kafka",
      "state.change.logger", "ai.djl");

  private Logging() {}

  /** Levels changed by {@link #quiet}; closing puts them back. */
  public static final class Quiet implements AutoCloseable {
    private final Map<Logger, Level> before;

    private Quiet(Map<Logger, Level> before) {
      this.before = before;
    }

    @Override
    public void close() {
      before.forEach(Logger::setLevel);
    }
  }

  /**
   * Lets only warnings and errors through (only errors from Kafka and the Apache libraries): the broker, the
   * Kafka clients, the OSGi framework and the platform's own lifecycle lines would otherwise interleave with
   * the command's output.
   * Does nothing under a logging backend other than logback.
   *
   * @return closing it restores the levels (commands also run in-process, in tests)
   */
  public static Quiet quiet() {
    Map<Logger, Level> before = new HashMap<>();
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
      for (Logger logger : context.getLoggerList()) {
        Level level = logger.getLevel();
        boolean thirdParty = THIRD_PARTY.stream().anyMatch(p -> logger.getName().startsWith(p + "."));
        if (logger != root && level != null && (thirdParty || !level.isGreaterOrEqual(Level.WARN))) {
          before.put(logger, level);
          logger.setLevel(null); // inherit WARN from the root, ERROR from a third-party prefix
        }
      }
      before.putIfAbsent(root, root.getLevel());
      root.setLevel(Level.WARN);
      for (String name : THIRD_PARTY) {
        Logger logger = context.getLogger(name);
        before.putIfAbsent(logger, logger.getLevel());
        logger.setLevel(Level.ERROR);
      }
    }
    return new Quiet(before);
  }
}
