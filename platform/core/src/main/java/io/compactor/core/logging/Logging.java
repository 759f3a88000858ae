package io.compactor.core.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import org.slf4j.LoggerFactory;

/** Log levels for commands whose own output is the point ({@code demo}, {@code compress}, {@code plan}). */
public final class Logging {
  private Logging() {}

  /**
   * Lets only warnings and errors through, from every logger: the broker, the Kafka clients, the OSGi
   * framework and the platform's own lifecycle lines would otherwise interleave with the command's output.
   * Does nothing under a logging backend other than logback.
   */
  public static void quiet() {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      for (Logger logger : context.getLoggerList()) {
        Level level = logger.getLevel();
        if (level != null && !level.isGreaterOrEqual(Level.WARN)) {
          logger.setLevel(null); // inherit WARN from the root
        }
      }
      context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.WARN);
    }
  }
}
