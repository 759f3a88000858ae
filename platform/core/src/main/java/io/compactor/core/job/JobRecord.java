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
 * @param decided the {@code completed} event with which the attempt won the job, recorded before its outputs
 *     are moved into place and the event is published (so the outputs are there once the event is); present
 *     only in between: an instance that takes the job over then finishes the promotion and publishes it
 */
public record JobRecord(JobRequest request, String source, String attempt, String instance, JobEvent lastEvent,
    Optional<JobEvent> decided) {
  public JobRecord {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(attempt, "attempt");
    Objects.requireNonNull(instance, "instance");
    Objects.requireNonNull(lastEvent, "lastEvent");
    Objects.requireNonNull(decided, "decided");
  }

  /** A run not decided yet. */
  public JobRecord(JobRequest request, String source, String attempt, String instance, JobEvent lastEvent) {
    this(request, source, attempt, instance, lastEvent, Optional.empty());
  }

  /** @return the job id */
  public String jobId() {
    return request.jobId();
  }

  /** @return the terminal event, once the latest attempt ended */
  public Optional<JobEvent> terminal() {
    return lastEvent.type().terminal() ? Optional.of(lastEvent) : Optional.empty();
  }

  /** @return the same run with {@code event} as its latest event (a terminal one ends the decided state) */
  public JobRecord with(JobEvent event) {
    return new JobRecord(request, source, attempt, instance, event,
        event.type().terminal() ? Optional.empty() : decided);
  }

  /** @return the same run, won with {@code completed}, which is not published yet */
  public JobRecord decided(JobEvent completed) {
    return new JobRecord(request, source, attempt, instance, lastEvent, Optional.of(completed));
  }

  /** @return the same run, given up by its instance (its lease released) */
  public JobRecord released() {
    return new JobRecord(request, source, attempt, "", lastEvent, decided);
  }

  /** @return the record's value on the state topic, JSON */
  public byte[] write() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("request", JobMessages.toMap(request));
    body.put("source", source);
    body.put("attempt", attempt);
    body.put("instance", instance);
    body.put("event", eventBody(lastEvent));
    decided.ifPresent(d -> body.put("decided", eventBody(d)));
    try {
      return JobMessages.json().writeValueAsBytes(body);
    } catch (IOException e) {
      throw new CompactorException("job " + jobId() + ": state record not serializable (" + e + ")", e);
    }
  }

  /** The event's body as published: within the event limits, so the state record is bounded too. */
  private static Map<String, Object> eventBody(JobEvent e) {
    return Map.of("type", e.type().id(), "time", e.time().toString(), "data", JobMessages.parse(JobMessages.write(e)));
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
      JobEvent event = event(jobId, n.path("event"));
      Optional<JobEvent> decided = n.has("decided") ? Optional.of(event(jobId, n.path("decided"))) : Optional.empty();
      return new JobRecord(submit.request(), n.path("source").asText(), n.path("attempt").asText(),
          n.path("instance").asText(), event, decided);
    } catch (IOException | RuntimeException e) {
      throw new CompactorException("state record of job " + jobId + ": unreadable (" + e.getMessage() + ")", e);
    }
  }

  private static JobEvent event(String jobId, JsonNode e) {
    EventType type = EventType.of(e.path("type").asText())
        .orElseThrow(() -> new IllegalArgumentException("unknown event type " + e.path("type")));
    @SuppressWarnings("unchecked")
    Map<String, Object> data = JobMessages.json().convertValue(e.path("data"), LinkedHashMap.class);
    return new JobEvent(type, jobId, Instant.parse(e.path("time").asText()), data);
  }
}
