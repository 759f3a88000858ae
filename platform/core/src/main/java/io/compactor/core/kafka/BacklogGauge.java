package io.compactor.core.kafka;

import io.compactor.core.metrics.JobMetrics;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets the backlog gauge (job requests not yet committed on this instance's partitions) from the broker's
 * end offsets and the group's committed offsets, at most every {@code interval}. Called from the thread
 * that owns the consumer.
 */
final class BacklogGauge {
  private static final Logger LOG = LoggerFactory.getLogger(BacklogGauge.class);
  private final Consumer<?, ?> consumer;
  private final JobMetrics metrics;
  private final Duration interval;
  private long measured;

  BacklogGauge(Consumer<?, ?> consumer, JobMetrics metrics, Duration interval) {
    this.consumer = consumer;
    this.metrics = metrics;
    this.interval = interval;
    this.measured = System.nanoTime() - interval.toNanos();
  }

  /** Measures when the last measurement is older than the interval. */
  void maybeMeasure() {
    long now = System.nanoTime();
    if (now - measured < interval.toNanos()) {
      return;
    }
    measured = now;
    Set<TopicPartition> mine = consumer.assignment();
    try {
      Map<TopicPartition, Long> ends = consumer.endOffsets(mine, interval);
      Map<TopicPartition, Long> starts = consumer.beginningOffsets(mine, interval);
      Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(mine, interval);
      metrics.backlog(backlog(mine, starts, ends, committed));
    } catch (RetriableException e) {
      LOG.debug("backlog not measured: {}", e.toString());   // the gauge keeps its last value
    }
  }

  /** @return records from each partition's committed offset (or its start, if later) to its end */
  static long backlog(Set<TopicPartition> partitions, Map<TopicPartition, Long> starts,
      Map<TopicPartition, Long> ends, Map<TopicPartition, OffsetAndMetadata> committed) {
    long backlog = 0;
    for (TopicPartition tp : partitions) {
      OffsetAndMetadata c = committed.get(tp);
      long from = Math.max(c == null ? 0 : c.offset(), starts.getOrDefault(tp, 0L));
      backlog += Math.max(0, ends.getOrDefault(tp, from) - from);
    }
    return backlog;
  }
}
