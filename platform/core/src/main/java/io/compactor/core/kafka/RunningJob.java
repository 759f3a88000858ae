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

  /** @return the job's record as {@code topic-partition@offset} */
  String source() {
    return source(record);
  }

  static String source(ConsumerRecord<?, ?> r) {
    return r.topic() + "-" + r.partition() + "@" + r.offset();
  }
}
