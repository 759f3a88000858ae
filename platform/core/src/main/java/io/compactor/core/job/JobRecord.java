package io.compactor.core.job;

import com.fasterxml.jackson.databind.JsonNode;
import io.compactor.api.CompactorException;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the platform remembers of one job id, as the value of its record on the compacted state topic (key =
 * job id): the request first run under the id, the jobs-topic record and attempt of its latest run, the
 * instance running it and the job's latest lifecycle event. Every instance reads them all, so any instance
 * answers for any job, and at-least-once delivery never computes a job twice. Immutable.
 *
 * @param request the request run under the id
 * @param source the jobs-topic record ({@code topic-partition@offset}) the latest run started from
 * @param attempt the id of the latest run; its outputs are staged apart under this id
 * @param instance the instance running (or that ran) the latest attempt; empty once it gave the job up
 *     (stopped), so another instance may take it over without waiting for the lease
 * @param lastEvent the latest {@code accepted}, {@code step.completed} or terminal event of the attempt
 */
public record JobRecord(JobRequest request, String source, String attempt, String instance, JobEvent lastEvent) {
  public JobRecord {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(attempt, "attempt");
    Objects.requireNonNull(instance, "instance");
    Objects.requireNonNull(lastEvent, "lastEvent");
  }

  /** @return the job id */
  public String jobId() {
    return request.jobId();
  }

  /** @return the terminal event, once the latest attempt ended */
  public Optional<JobEvent> terminal() {
    return lastEvent.type().terminal() ? Optional.of(lastEvent) : Optional.empty();
  }

  /** @return the same run with {@code event} as its latest event */
  public JobRecord with(JobEvent event) {
    return new JobRecord(request, source, attempt, instance, event);
  }

  /** @return the same run, given up by its instance (its lease released) */
  public JobRecord released() {
    return new JobRecord(request, source, attempt, "", lastEvent);
  }

  /** @return the record's value on the state topic, JSON */
  public byte[] write() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("request", JobMessages.toMap(request));
    body.put("source", source);
    body.put("attempt", attempt);
    body.put("instance", instance);
    // the event's body as published: within the event limits, so the state record is bounded too
    body.put("event", Map.of("type", lastEvent.type().id(), "time", lastEvent.time().toString(),
        "data", JobMessages.parse(JobMessages.write(lastEvent))));
    try {
      return JobMessages.json().writeValueAsBytes(body);
    } catch (IOException e) {
      throw new CompactorException("job " + jobId() + ": state record not serializable (" + e + ")", e);
    }
  }

  /**
   * @param jobId the record's key
   * @param value the record's value, as {@link #write} wrote it
   * @return the job's record
   * @throws CompactorException naming the job id when the value is not a state record
   */
  public static JobRecord read(String jobId, byte[] value) {
    try {
      JsonNode n = JobMessages.parse(value);
      JobMessages.Message m = JobMessages.read(JobMessages.json().writeValueAsBytes(n.path("request")), jobId);
      if (!(m instanceof JobMessages.Submit submit)) {
        throw new IllegalArgumentException("no valid request: " + m);
      }
      JsonNode e = n.path("event");
      EventType type = EventType.of(e.path("type").asText())
          .orElseThrow(() -> new IllegalArgumentException("unknown event type " + e.path("type")));
      @SuppressWarnings("unchecked")
      Map<String, Object> data = JobMessages.json().convertValue(e.path("data"), LinkedHashMap.class);
      JobEvent event = new JobEvent(type, jobId, Instant.parse(e.path("time").asText()), data);
      return new JobRecord(submit.request(), n.path("source").asText(), n.path("attempt").asText(),
          n.path("instance").asText(), event);
    } catch (IOException | RuntimeException e) {
      throw new CompactorException("state record of job " + jobId + ": unreadable (" + e.getMessage() + ")", e);
    }
  }
}
