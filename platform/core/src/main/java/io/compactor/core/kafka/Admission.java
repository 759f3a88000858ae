package io.compactor.core.kafka;

import io.compactor.core.job.ArtifactRoots;
import io.compactor.core.job.EventType;
import io.compactor.core.job.JobEvent;
import io.compactor.core.job.JobMessages;
import io.compactor.core.job.JobRecord;
import io.compactor.core.job.JobRequest;
import io.compactor.core.job.OutputStore;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the coordinator does with a record of the jobs topic, decided from the record and what is known of
 * its job id, without touching Kafka: run it, answer it from an earlier run (while that run's outputs are all
 * there, asked of the output store: local files or {@code s3://} objects), wait for the instance running
 * it, refuse it with a {@code failed} event, dead-letter it, or only commit it. A record delivered again
 * after its job ended (its commit was lost to a crash or a rebalance) is only committed, so each request
 * gets one terminal event.
 */
final class Admission {
  private final ArtifactRoots roots;
  private final OutputStore outputs;

  /**
   * @param roots where jobs may read and write
   * @param outputs where the outputs of completed jobs are looked for (local paths, {@code s3://} objects)
   */
  Admission(ArtifactRoots roots, OutputStore outputs) {
    this.roots = roots;
    this.outputs = outputs;
  }

  /**
   * What is known of a job id when one of its requests arrives.
   *
   * @param known the id's latest record on the state topic
   * @param leased whether another run of the id still renews its lease
   * @param partitionBusy whether a job from the same partition runs on this instance now
   * @param cancelled whether a cancel request after this record was seen
   */
  record JobState(Optional<JobRecord> known, boolean leased, boolean partitionBusy, boolean cancelled) {
    /** Nothing known: a new job id on a free partition. */
    static final JobState NEW = new JobState(Optional.empty(), false, false, false);
  }

  /** A decision; each ends with the record's offset committed, except {@link Wait}. */
  sealed interface Decision {}

  /** Run the job here; {@code cancelled} when a cancel for it arrived already. */
  record Run(JobRequest request, boolean cancelled) implements Decision {}

  /** Publish {@code event} (the earlier terminal event, marked {@code replayed}) without running. */
  record Replay(JobEvent event) implements Decision {}

  /** Another run of the job holds its lease: keep the partition paused and decide again later. */
  record Wait(String jobId) implements Decision {}

  /** Publish {@code failed} and do not run. */
  record Refuse(JobEvent failed) implements Decision {}

  /** The record names no job: send it to the dead-letter topic with {@code reason}. */
  record DeadLetter(String reason) implements Decision {}

  /**
   * Nothing to do but commit: a cancel request (acted on by the cancel listener when it was published), a
   * record whose terminal event was published already, a waiting request whose job ended elsewhere.
   */
  record Commit() implements Decision {}

  /**
   * @param message the record, read
   * @param recordRef the record's {@code topic-partition@offset}
   * @param state what is known of the job id the record names ({@link JobState#NEW} when it names none)
   * @return what to do with the record
   */
  Decision admit(JobMessages.Message message, String recordRef, JobState state) {
    if (message instanceof JobMessages.Invalid invalid) {
      return invalid.jobId().<Decision>map(id -> new Refuse(failed(id, "request", invalid.reason())
              .withKind(invalid.kind())))
          .orElseGet(() -> new DeadLetter(invalid.reason()));
    }
    if (message instanceof JobMessages.Cancel) {
      return new Commit();
    }
    JobRequest request = ((JobMessages.Submit) message).request();
    String jobId = request.jobId();
    Optional<String> outside = roots.check(request);
    if (outside.isPresent()) {
      return new Refuse(failed(jobId, "request", outside.get()).withKind(request.kind()));
    }
    Optional<JobRecord> known = state.known();
    if (known.isPresent() && !known.get().request().equals(request)) {
      return new Refuse(failed(jobId, "request", "job id " + jobId + " was already used for a different request ("
          + JobMessages.toJson(known.get().request()) + "); submit it with a new job id").withKind(request.kind()));
    }
    Optional<JobEvent> terminal = known.flatMap(JobRecord::terminal);
    boolean redelivered = known.map(JobRecord::source).filter(recordRef::equals).isPresent();
    if (terminal.isPresent() && redelivered) {
      // a job's end is stored in the transaction of its terminal event: this record was answered, and
      // only its commit was lost (the instance died, or the partition moved, before committing)
      return new Commit();
    }
    if (terminal.isPresent() && terminal.get().type() == EventType.COMPLETED && outputsExist(terminal.get())) {
      // a new request for a job whose outputs are complete: answered from them
      Map<String, Object> data = new HashMap<>(terminal.get().data());
      data.put("replayed", true);
      return new Replay(JobEvent.of(terminal.get().type(), jobId, data));
    }
    if (state.partitionBusy() || state.leased() && terminal.isEmpty()) {
      return new Wait(jobId);
    }
    return new Run(request, state.cancelled());
  }

  /**
   * Decides again for a request that waited for another run of its job.
   *
   * @param request the waiting request
   * @param state what is known of its job id now
   * @return {@link Commit} when the other run ended, {@link Run} when its lease lapsed, else {@link Wait}
   */
  Decision recheck(JobRequest request, JobState state) {
    if (state.known().flatMap(JobRecord::terminal).isPresent()) {
      return new Commit();
    }
    return state.leased() ? new Wait(request.jobId()) : new Run(request, state.cancelled());
  }

  static JobEvent failed(String jobId, String stage, String reason) {
    return JobEvent.of(EventType.FAILED, jobId, Map.of("stage", stage, "reason", reason));
  }

  private boolean outputsExist(JobEvent completed) {
    if (!(completed.data().get("outputs") instanceof Map<?, ?> files)) {
      return false;
    }
    return files.values().stream().allMatch(p -> p instanceof String s && exists(s));
  }

  /** @return whether the output is there; when the store cannot tell (unreachable), the job is computed again */
  private boolean exists(String output) {
    try {
      return outputs.exists(output);
    } catch (RuntimeException e) {
      return false;
    }
  }
}
