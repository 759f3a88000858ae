package io.compactor.core.kafka;

import io.compactor.core.job.Cancellation;
import io.compactor.core.job.JobRequest;
import java.time.Instant;
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
  volatile boolean abandoned;
  volatile boolean delivered;
  volatile ScheduledFuture<?> lease;

  RunningJob(TopicPartition partition, ConsumerRecord<String, byte[]> record, JobRequest request,
      Cancellation cancellation, Instant accepted) {
    this.partition = partition;
    this.record = record;
    this.offset = record.offset();
    this.request = request;
    this.cancellation = cancellation;
    this.accepted = accepted;
  }
}
