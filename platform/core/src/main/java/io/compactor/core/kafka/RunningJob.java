package io.compactor.core.kafka;

import io.compactor.core.job.Cancellation;
import io.compactor.core.job.JobEvent;
import io.compactor.core.job.JobRequest;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/** One job running on this instance. Fields written by the worker are volatile. */
final class RunningJob {
  final TopicPartition partition;
  final ConsumerRecord<String, byte[]> record;
  final long offset;
  final JobRequest request;
  final Cancellation cancellation;
  final Instant accepted;
  /** The attempt of the job's state record when it was admitted (empty: never run before). */
  final Optional<String> knownAttempt;
  /** Whether that attempt had ended when the job was admitted (a failed job run again) or not (taken over). */
  final boolean knownEnded;
  volatile boolean abandoned;
  volatile boolean delivered;
  volatile ScheduledFuture<?> lease;
  volatile Attempt attempt;
  /** The latest event of the job, carried by each lease renewal so every instance sees its progress. */
  volatile JobEvent lastEvent;
  /** Guards the moment the job starts for all to see against its partition moving away ({@link #start}). */
  private final Object startLock = new Object();
  private boolean started;
  private boolean movedAway;

  RunningJob(TopicPartition partition, ConsumerRecord<String, byte[]> record, JobRequest request,
      Cancellation cancellation, Instant accepted, Optional<String> knownAttempt, boolean knownEnded) {
    this.partition = partition;
    this.record = record;
    this.offset = record.offset();
    this.request = request;
    this.cancellation = cancellation;
    this.accepted = accepted;
    this.knownAttempt = knownAttempt;
    this.knownEnded = knownEnded;
  }

  /**
   * Starts the job for all to see ({@code announce} writes its state record, which carries the lease) unless
   * its partition has moved away. A partition moves to its new owner only once this instance has let it go
   * ({@link #moveAway}), so the new owner finds either this run's lease or a job nobody runs: never both
   * instances running it.
   *
   * @param announce writes the job's first state record
   * @return whether the job started; false when the partition moved away before
   */
  boolean start(Runnable announce) {
    synchronized (startLock) {
      if (!movedAway) {
        announce.run();
        started = true;
      }
      return started;
    }
  }

  /**
   * Lets the job's partition go: a job that has not started yet never will here (its new owner runs it); one
   * that is starting is waited for, so its lease is written before the partition moves.
   *
   * @return whether the job still runs here, under its lease
   */
  boolean moveAway() {
    synchronized (startLock) {
      movedAway = !started;
      return started;
    }
  }

  /** @return the job's record as {@code topic-partition@offset} */
  String source() {
    return source(record);
  }

  static String source(ConsumerRecord<?, ?> r) {
    return r.topic() + "-" + r.partition() + "@" + r.offset();
  }
}
