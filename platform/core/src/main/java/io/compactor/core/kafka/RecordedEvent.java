package io.compactor.core.kafka;

import io.compactor.core.job.EventType;
import io.compactor.core.job.JobEvent;
import io.compactor.core.job.JobMessages;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * One job event as it lies on the events topic: its CloudEvents attributes (the {@code ce_*} headers without
 * the prefix, and {@code datacontenttype}) and its JSON data.
 *
 * @param attributes the attributes in CloudEvents order: specversion, id, source, type, time, subject, ...
 * @param type the event type
 * @param jobId the record key, which is the job id
 * @param time the event's {@code time}, or the record's timestamp when it has none
 * @param data the event body
 */
public record RecordedEvent(Map<String, String> attributes, EventType type, String jobId, Instant time,
    Map<String, Object> data) {
  private static final List<String> ORDER = List.of("specversion", "id", "source", "type", "time", "subject",
      "dataschema", "datacontenttype");

  public RecordedEvent {
    attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
    data = Collections.unmodifiableMap(new LinkedHashMap<>(data));
  }

  /**
   * @param r a record of the events topic
   * @return the event; empty when the record has no known {@code ce_type} or no key
   */
  static Optional<RecordedEvent> of(ConsumerRecord<String, byte[]> r) {
    Optional<EventType> type = CloudEventHeaders.type(r.headers());
    if (type.isEmpty() || r.key() == null || r.value() == null) {
      return Optional.empty();
    }
    Map<String, String> found = new LinkedHashMap<>();
    for (Header h : r.headers()) {
      String name = h.key().equals(CloudEventHeaders.CONTENT_TYPE) ? "datacontenttype"
          : h.key().startsWith("ce_") ? h.key().substring(3) : null;
      if (name != null && h.value() != null) {
        found.put(name, new String(h.value(), StandardCharsets.UTF_8));
      }
    }
    Map<String, String> ordered = new LinkedHashMap<>();
    ORDER.stream().filter(found::containsKey).forEach(k -> ordered.put(k, found.get(k)));
    found.forEach(ordered::putIfAbsent);
    Instant time;
    try {
      time = ordered.containsKey("time") ? Instant.parse(ordered.get("time")) : Instant.ofEpochMilli(r.timestamp());
    } catch (DateTimeParseException e) {
      time = Instant.ofEpochMilli(r.timestamp());
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> data = JobMessages.json().convertValue(JobMessages.parse(r.value()), LinkedHashMap.class);
    return Optional.of(new RecordedEvent(ordered, type.get(), r.key(), time, data));
  }

  /** @return the job event it carries */
  public JobEvent jobEvent() {
    return new JobEvent(type, jobId, time, data);
  }

  /** @return the event in the CloudEvents JSON format: the attributes, then {@code data} */
  public Map<String, Object> cloudEvent() {
    Map<String, Object> json = new LinkedHashMap<>(attributes);
    json.put("data", data);
    return json;
  }
}
