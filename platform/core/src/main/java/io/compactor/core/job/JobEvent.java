package io.compactor.core.job;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One event of one job: its type, when it happened and its JSON-friendly data (which always carries
 * {@code jobId}). Immutable.
 *
 * @param type the event type
 * @param jobId the job
 * @param time when it happened
 * @param data the event body, validated against the type's schema in tests
 */
public record JobEvent(EventType type, String jobId, Instant time, Map<String, Object> data) {
  public JobEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(time, "time");
    Map<String, Object> copy = new LinkedHashMap<>();
    copy.put("jobId", jobId);
    data.forEach((k, v) -> {
      if (!k.equals("jobId")) {
        copy.put(k, v);
      }
    });
    data = Collections.unmodifiableMap(copy);
  }

  /**
   * @param kind the kind of the job the event belongs to
   * @return this event naming a tune job's kind ({@code "kind": "tune"}); a compression job's events stay as they
   *     always were, without {@code kind}
   */
  public JobEvent withKind(JobRequest.Kind kind) {
    if (kind == JobRequest.Kind.COMPRESS || kind.id().equals(data.get("kind"))) {
      return this;
    }
    Map<String, Object> tagged = new LinkedHashMap<>(data);
    tagged.put("kind", kind.id());
    return new JobEvent(type, jobId, time, tagged);
  }

  /** @return the kind of job the event belongs to: {@code kind} when it says, else compress */
  public JobRequest.Kind kind() {
    return JobRequest.Kind.TUNE.id().equals(data.get("kind")) ? JobRequest.Kind.TUNE : JobRequest.Kind.COMPRESS;
  }

  /** @return an event of {@code type} now */
  public static JobEvent of(EventType type, String jobId, Map<String, Object> data) {
    return new JobEvent(type, jobId, Instant.now(), data);
  }
}
