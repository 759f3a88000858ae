package io.compactor.core.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The quiet levels of the interactive commands, on the jar's logback configuration. */
class LoggingTest {
  private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();

  @Test
  void quietLetsOnlyWarningsThroughEverywhereAndClosingRestoresTheLevels() {
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    Logger chatty = context.getLogger("io.compactor.test.chatty");
    chatty.setLevel(Level.DEBUG);
    Level rootBefore = root.getLevel();
    try (Logging.Quiet quiet = Logging.quiet()) {
      assertEquals(Level.WARN, root.getLevel());
      assertFalse(context.getLogger("org.apache.kafka.clients").isWarnEnabled(), "Kafka: errors only");
      assertFalse(context.getLogger("io.compactor.core.platform.Platform").isInfoEnabled());
      assertFalse(chatty.isDebugEnabled(), "an explicit lower level is lifted too");
      assertTrue(chatty.isWarnEnabled());
    }
    assertEquals(rootBefore, root.getLevel());
    assertEquals(Level.DEBUG, chatty.getLevel());
    assertEquals(Level.WARN, context.getLogger("org.apache.kafka").getLevel(), "logback.xml's level is back");
    chatty.setLevel(null);
  }
}
