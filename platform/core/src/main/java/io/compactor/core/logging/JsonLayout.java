package io.compactor.core.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.LayoutBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * One JSON object per line: {@code time}, {@code level}, {@code logger}, {@code thread}, {@code jobId} on a
 * job's lines, {@code message}, other MDC entries under {@code mdc}, and the stack trace as {@code exception}.
 * JSON string escaping writes every control character as an escape, so a value never breaks the line.
 */
public final class JsonLayout extends LayoutBase<ILoggingEvent> {
  private static final JsonFactory JSON = new JsonFactory();

  @Override
  public String doLayout(ILoggingEvent event) {
    StringWriter out = new StringWriter(256);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("time", Instant.ofEpochMilli(event.getTimeStamp()).toString());
      g.writeStringField("level", event.getLevel().toString());
      g.writeStringField("logger", event.getLoggerName());
      g.writeStringField("thread", event.getThreadName());
      Map<String, String> mdc = new TreeMap<>(event.getMDCPropertyMap());
      String jobId = mdc.remove(JobLog.MDC_KEY);
      if (jobId != null) {
        g.writeStringField("jobId", jobId);
      }
      g.writeStringField("message", event.getFormattedMessage());
      if (!mdc.isEmpty()) {
        g.writeObjectFieldStart("mdc");
        for (Map.Entry<String, String> e : mdc.entrySet()) {
          g.writeStringField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
      }
      IThrowableProxy thrown = event.getThrowableProxy();
      if (thrown != null) {
        g.writeStringField("exception", ThrowableProxyUtil.asString(thrown));
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("log line not written as JSON", e); // a StringWriter does not fail
    }
    return out.append(System.lineSeparator()).toString();
  }
}
