package io.compactor.core.kafka;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Offsets to commit, kept until a commit succeeds: a commit refused during a rebalance or while Kafka is
 * unreachable is tried again on the next flush, and offsets of partitions this instance no longer owns are dropped (their new owner
 * commits). Used by the thread that owns the consumer.
 */
final class PendingCommits {
  private static final Logger LOG = LoggerFactory.getLogger(PendingCommits.class);
  private final Map<TopicPartition, OffsetAndMetadata> pending = new HashMap<>();

  /** Queues the commit of {@code offset + 1}, the record at {@code offset} being done; never moves back. */
  void add(TopicPartition tp, long offset) {
    pending.merge(tp, new OffsetAndMetadata(offset + 1), (a, b) -> a.offset() >= b.offset() ? a : b);
  }

  /** Commits what is pending on the partitions {@code consumer} owns. */
  void flush(Consumer<?, ?> consumer) {
    pending.keySet().retainAll(consumer.assignment());
    if (pending.isEmpty()) {
      return;
    }
    try {
      consumer.commitSync(Map.copyOf(pending));
      pending.clear();
    } catch (RebalanceInProgressException | CommitFailedException e) {
      LOG.debug("commit deferred until the rebalance completes: {}", e.toString());
    } catch (RetriableException e) {
      // e.g. the group's coordinator broker died: its successor takes the commit on a later flush
      LOG.warn("commit deferred, Kafka not reachable right now: {}", e.toString());
    }
  }
}
