package io.compactor.core.job;

import com.fasterxml.jackson.databind.JsonNode;
import io.compactor.api.CompactorException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the platform remembers of each job id, so at-least-once delivery never computes a job twice:
 * the request it was first submitted with and its terminal event. One directory per job under a state
 * directory that every instance of a consumer group shares (a shared volume in production).
 */
public final class JobStore {
  private static final String REQUEST = "request.json";
  private static final String TERMINAL = "terminal.json";
  private static final String LEASE = "lease.json";
  private static final String RECORD = "record.txt";
  private final Path root;

  /** @param root the state directory; created if missing */
  public JobStore(Path root) {
    this.root = root;
    try {
      Files.createDirectories(root);
    } catch (IOException e) {
      throw new CompactorException(root + ": cannot create the job state directory (" + e + "); set a writable --state-dir", e);
    }
  }

  /**
   * What the store knows of a job id.
   *
   * @param request the request first submitted under the id
   * @param terminal its terminal event, if the job ended
   * @param record the Kafka record ({@code topic-partition@offset}) its last run started from
   */
  public record Entry(JobRequest request, Optional<JobEvent> terminal, Optional<String> record) {}

  /** @return the entry of {@code jobId}, if the id was seen before */
  public synchronized Optional<Entry> find(String jobId) {
    Path dir = root.resolve(jobId);
    Path request = dir.resolve(REQUEST);
    if (!Files.exists(request)) {
      return Optional.empty();
    }
    try {
      JobMessages.Message m = JobMessages.read(Files.readAllBytes(request), jobId);
      if (!(m instanceof JobMessages.Submit submit)) {
        throw new CompactorException(request + ": unreadable stored request; delete the directory " + dir);
      }
      Optional<JobEvent> terminal = Optional.empty();
      if (Files.exists(dir.resolve(TERMINAL))) {
        JsonNode t = JobMessages.parse(Files.readAllBytes(dir.resolve(TERMINAL)));
        EventType type = EventType.of(t.path("type").asText()).orElseThrow();
        @SuppressWarnings("unchecked")
        Map<String, Object> data = JobMessages.json().convertValue(t.path("data"), LinkedHashMap.class);
        terminal = Optional.of(new JobEvent(type, jobId, Instant.parse(t.path("time").asText()), data));
      }
      Path recordFile = dir.resolve(RECORD);
      Optional<String> record = Files.exists(recordFile) ? Optional.of(Files.readString(recordFile)) : Optional.empty();
      return Optional.of(new Entry(submit.request(), terminal, record));
    } catch (IOException e) {
      throw new CompactorException(dir + ": cannot read job state (" + e + ")", e);
    }
  }

  /**
   * Records the request of a job about to run (replacing the terminal event of an earlier attempt).
   *
   * @param request the job
   * @param record the Kafka record it came from, {@code topic-partition@offset}
   */
  public synchronized void started(JobRequest request, String record) {
    Path dir = root.resolve(request.jobId());
    write(dir.resolve(REQUEST), JobMessages.write(request));
    write(dir.resolve(RECORD), record.getBytes(StandardCharsets.UTF_8));
    try {
      Files.deleteIfExists(dir.resolve(TERMINAL));
    } catch (IOException e) {
      throw new CompactorException(dir + ": cannot reset job state (" + e + ")", e);
    }
  }

  /** Records a job's terminal event. */
  public synchronized void finished(JobEvent terminal) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", terminal.type().id());
    body.put("time", terminal.time().toString());
    body.put("data", terminal.data());
    try {
      write(root.resolve(terminal.jobId()).resolve(TERMINAL), JobMessages.json().writeValueAsBytes(body));
    } catch (IOException e) {
      throw new CompactorException(root + ": cannot record the end of job " + terminal.jobId() + " (" + e + ")", e);
    }
  }

  /**
   * Takes or renews the lease of a running job: while it is fresh, other instances that receive the
   * same job (after a rebalance) wait for its end instead of computing it again.
   *
   * @param jobId the job
   * @param instance the instance running it
   * @param expires when the lease lapses unless renewed
   */
  public synchronized void lease(String jobId, String instance, Instant expires) {
    Map<String, Object> body = Map.of("instance", instance, "expires", expires.toString());
    try {
      write(root.resolve(jobId).resolve(LEASE), JobMessages.json().writeValueAsBytes(body));
    } catch (IOException e) {
      throw new CompactorException(root + ": cannot write the lease of job " + jobId + " (" + e + ")", e);
    }
  }

  /** Drops the lease of a job that ended or was given up. */
  public synchronized void release(String jobId) {
    try {
      Files.deleteIfExists(root.resolve(jobId).resolve(LEASE));
    } catch (IOException e) {
      throw new CompactorException(root + ": cannot drop the lease of job " + jobId + " (" + e + ")", e);
    }
  }

  /** @return the instance holding a lease on {@code jobId} that has not lapsed at {@code now} */
  public synchronized Optional<String> leaseHolder(String jobId, Instant now) {
    Path file = root.resolve(jobId).resolve(LEASE);
    try {
      if (!Files.exists(file)) {
        return Optional.empty();
      }
      JsonNode lease = JobMessages.parse(Files.readAllBytes(file));
      return Instant.parse(lease.path("expires").asText()).isAfter(now)
          ? Optional.of(lease.path("instance").asText()) : Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static void write(Path file, byte[] bytes) {
    try {
      Files.createDirectories(file.getParent());
      Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
      Files.write(tmp, bytes);
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new CompactorException(file + ": cannot write job state (" + e + ")", e);
    }
  }
}
