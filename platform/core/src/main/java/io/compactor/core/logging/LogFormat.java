package io.compactor.core.logging;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/**
 * How log lines are written: {@code text} (the pattern of the jar's {@code logback.xml}) or {@code json}
 * (one {@link JsonLayout} object a line). Both escape control characters.
 */
public enum LogFormat {
  TEXT,
  JSON;

  /** Name of the appender of the jar's {@code logback.xml} whose encoder {@link #apply} switches. */
  static final String APPENDER = "console";

  /**
   * @param value {@code text} or {@code json}, any case
   * @return the format
   * @throws IllegalArgumentException naming the valid values
   */
  public static LogFormat parse(String value) {
    try {
      return valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("log-format: expected text or json, got '" + value + "'", e);
    }
  }

  /** @return the lower-case name used on the command line */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Switches the console appender of the jar's {@code logback.xml} to this format. A configuration of one's
   * own ({@code -Dlogback.configurationFile}) without an appender named {@value #APPENDER} is left alone.
   *
   * @return whether the format is now in effect
   */
  public boolean apply() {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return false;
    }
    Appender<ILoggingEvent> appender = context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender(APPENDER);
    if (!(appender instanceof OutputStreamAppender<ILoggingEvent> console)) {
      return false;
    }
    Encoder<ILoggingEvent> current = console.getEncoder();
    if (this == JSON && !(current instanceof JsonEncoder)) {
      JsonEncoder json = new JsonEncoder(current);
      json.setContext(context);
      JsonLayout layout = new JsonLayout();
      layout.setContext(context);
      layout.start();
      json.setLayout(layout);
      json.start();
      console.setEncoder(json);
    } else if (this == TEXT && current instanceof JsonEncoder json) {
      console.setEncoder(json.text);
      json.stop();
    }
    return true;
  }

  /** The JSON encoder, holding the text encoder it replaced so {@link #TEXT} can put it back. */
  private static final class JsonEncoder extends LayoutWrappingEncoder<ILoggingEvent> {
    final Encoder<ILoggingEvent> text;

    JsonEncoder(Encoder<ILoggingEvent> text) {
      this.text = text;
    }
  }
}
