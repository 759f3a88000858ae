package io.compactor.core.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The jar's {@code logback.xml} as it is loaded: what its console appender writes for messages, job ids and
 * exceptions that carry control characters, in both formats.
 */
class LogLinesTest {
  private static final String FORGED = "/jobs/x\n12:00:00.000 INFO  Coordinator - job x completed\u0000\r\t\u2028";
  private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
  private final Logger logger = context.getLogger("io.compactor.test");

  @AfterEach
  void backToText() {
    LogFormat.TEXT.apply();
  }

  @SuppressWarnings("unchecked")
  private String written(ILoggingEvent event) {
    var console = (OutputStreamAppender<ILoggingEvent>) context.getLogger(Logger.ROOT_LOGGER_NAME)
        .getAppender(LogFormat.APPENDER);
    return new String(console.getEncoder().encode(event), StandardCharsets.UTF_8);
  }

  private LoggingEvent event(String message, Throwable thrown, Map<String, String> mdc) {
    LoggingEvent e = new LoggingEvent(Logger.class.getName(), logger, Level.WARN, "request {}", thrown,
        new Object[] {message});
    e.setMDCPropertyMap(mdc);
    return e;
  }

  @Test
  void aNewlineInAMessageStaysOnItsLineAndNulAndOtherControlsAreEscaped() {
    String line = written(event(FORGED, null, Map.of()));

    assertEquals(1, line.lines().count(), line);
    assertTrue(line.endsWith(System.lineSeparator()), line);
    assertTrue(line.contains("request /jobs/x\\n12:00:00.000 INFO  Coordinator - job x completed\\u0000\\r\\t\\u2028"),
        line);
    assertFalse(line.chars().limit(line.length() - System.lineSeparator().length()).anyMatch(Character::isISOControl),
        line);
  }

  @Test
  void theJobIdOfTheMdcIsOnTheLineAndEscapedToo() {
    String line = written(event("step done", null, Map.of(JobLog.MDC_KEY, "job\n7")));

    assertEquals(1, line.lines().count(), line);
    assertTrue(line.contains("[job job\\n7] - request step done"), line);
    assertFalse(written(event("no job", null, Map.of())).contains("[job"), "lines outside a job name none");
  }

  @Test
  void anExceptionMessageCannotForgeALineButTheStackTraceKeepsOneFrameALine() {
    var cause = new IllegalStateException("inner\nFORGED inner");
    String text = written(event("failed", new IllegalArgumentException("outer\nFORGED outer\u0000", cause), Map.of()));

    List<String> lines = text.lines().toList();
    assertTrue(lines.stream().noneMatch(l -> l.startsWith("FORGED")), text);
    assertTrue(text.contains("java.lang.IllegalArgumentException: outer\\nFORGED outer\\u0000"), text);
    assertTrue(text.contains("Caused by: java.lang.IllegalStateException: inner\\nFORGED inner"), text);
    assertTrue(lines.stream().filter(l -> l.startsWith("\tat ")).count() > 2, "frames stay one a line:\n" + text);
  }

  @Test
  void jsonLinesCarryTheSameTextEscapedOnOneLine() throws Exception {
    assertTrue(LogFormat.JSON.apply());
    String line = written(event(FORGED, new IllegalStateException("boom\nFORGED"), Map.of(JobLog.MDC_KEY, "j-1",
        "other", "x")));

    assertEquals(1, line.lines().count(), line);
    JsonNode json = new ObjectMapper().readTree(line);
    assertEquals("request " + FORGED, json.get("message").asText());
    assertEquals("j-1", json.get("jobId").asText());
    assertEquals("x", json.get("mdc").get("other").asText());
    assertEquals("WARN", json.get("level").asText());
    assertEquals("io.compactor.test", json.get("logger").asText());
    assertTrue(json.get("exception").asText().startsWith("java.lang.IllegalStateException: boom\nFORGED"), line);

    assertTrue(LogFormat.TEXT.apply());
    assertFalse(written(event("x", null, Map.of())).startsWith("{"), "text is back");
  }

  @Test
  void aFormatIsTextOrJsonAndAnythingElseIsNamed() {
    assertEquals(LogFormat.JSON, LogFormat.parse(" JSON "));
    assertEquals(LogFormat.TEXT, LogFormat.parse("text"));
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> LogFormat.parse("xml"));
    assertEquals("log-format: expected text or json, got 'xml'", e.getMessage());
  }
}
