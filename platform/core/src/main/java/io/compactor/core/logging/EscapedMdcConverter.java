package io.compactor.core.logging;

import ch.qos.logback.classic.pattern.MDCConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/** {@code %X} with control characters escaped: MDC values (a job id) come from requests. */
public final class EscapedMdcConverter extends MDCConverter {
  @Override
  public String convert(ILoggingEvent event) {
    return ControlCharacters.escape(super.convert(event));
  }
}
