package io.compactor.core.logging;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/** {@code %job}: {@code " [job <id>]"} on the lines of a job (MDC {@link JobLog#MDC_KEY}), nothing elsewhere. */
public final class JobIdConverter extends ClassicConverter {
  @Override
  public String convert(ILoggingEvent event) {
    String id = event.getMDCPropertyMap().get(JobLog.MDC_KEY);
    return id == null ? "" : " [job " + ControlCharacters.escape(id) + "]";
  }
}
