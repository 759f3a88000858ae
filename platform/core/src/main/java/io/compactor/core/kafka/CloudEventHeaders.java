package io.compactor.core.kafka;

import io.compactor.core.job.EventType;
import io.compactor.core.job.JobEvent;
import io.compactor.core.job.Schemas;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** CloudEvents 1.0 Kafka binary mode: attributes as {@code ce_*} headers, the JSON data as the value. */
public final class CloudEventHeaders {
  /** Header of the data's media type. */
  public static final String CONTENT_TYPE = "content-type";
  /** Header of the CloudEvents type. */
  public static final String TYPE = "ce_type";

  private CloudEventHeaders() {}

  /**
   * @param event the job event
   * @param source the producing instance, e.g. {@code /compactor/host-1}
   * @return the headers for its record
   */
  public static Headers of(JobEvent event, String source) {
    RecordHeaders h = new RecordHeaders();
    put(h, "ce_specversion", "1.0");
    put(h, "ce_id", UUID.randomUUID().toString());
    put(h, "ce_source", source);
    put(h, TYPE, event.type().ceType());
    put(h, "ce_time", event.time().toString());
    put(h, "ce_subject", event.jobId());
    put(h, "ce_dataschema", "https://compactor.io/schemas/" + Schemas.eventSchema(event.type()) + ".schema.json");
    put(h, CONTENT_TYPE, "application/json");
    return h;
  }

  /** @return the event type named by a record's {@code ce_type} header */
  public static Optional<EventType> type(Headers headers) {
    return header(headers, TYPE).flatMap(EventType::of);
  }

  /** @return the UTF-8 value of the last header named {@code key} */
  public static Optional<String> header(Headers headers, String key) {
    Header h = headers.lastHeader(key);
    return h == null ? Optional.empty() : Optional.of(new String(h.value(), StandardCharsets.UTF_8));
  }

  static void put(Headers h, String key, String value) {
    h.add(key, value.getBytes(StandardCharsets.UTF_8));
  }
}
