package io.compactor.core.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.DisconnectException;
import org.junit.jupiter.api.Test;

/** Commits survive what a broker failover throws at them, and never move an offset back. */
class PendingCommitsTest {
  private static final TopicPartition P0 = new TopicPartition("compactor.jobs", 0);
  private static final TopicPartition P1 = new TopicPartition("compactor.jobs", 1);

  /** A real MockConsumer whose next commits fail with the queued exceptions. */
  private static final class FailingConsumer extends MockConsumer<String, byte[]> {
    final Deque<KafkaException> failures = new ArrayDeque<>();
    final List<Map<TopicPartition, OffsetAndMetadata>> committed = new ArrayList<>();

    FailingConsumer() {
      super("earliest");
    }

    @Override
    public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
      if (!failures.isEmpty()) {
        throw failures.poll();
      }
      super.commitSync(offsets);
      committed.add(Map.copyOf(offsets));
    }
  }

  private static Long committed(FailingConsumer c, TopicPartition tp) {
    OffsetAndMetadata o = c.committed(Set.of(tp), Duration.ZERO).get(tp);
    return o == null ? null : o.offset();
  }

  @Test
  void theNextOffsetIsCommittedAndNeverMovesBack() {
    FailingConsumer c = new FailingConsumer();
    c.assign(List.of(P0));
    PendingCommits commits = new PendingCommits();
    commits.add(P0, 7);
    commits.add(P0, 3);
    commits.flush(c);
    assertEquals(8L, committed(c, P0));
  }

  @Test
  void aCommitRefusedByARebalanceOrAnUnreachableBrokerIsTriedAgainOnTheNextFlush() {
    FailingConsumer c = new FailingConsumer();
    c.assign(List.of(P0));
    c.failures.add(new DisconnectException("the group's coordinator died"));
    c.failures.add(new CommitFailedException("rebalanced"));
    PendingCommits commits = new PendingCommits();
    commits.add(P0, 4);
    commits.flush(c);
    assertNull(committed(c, P0));
    commits.flush(c);
    assertNull(committed(c, P0));
    commits.flush(c);
    assertEquals(5L, committed(c, P0));
  }

  @Test
  void theOffsetOfAPartitionThatMovedAwayIsLeftToItsNewOwner() {
    FailingConsumer c = new FailingConsumer();
    c.assign(List.of(P0, P1));
    PendingCommits commits = new PendingCommits();
    commits.add(P0, 1);
    commits.add(P1, 2);
    c.assign(List.of(P1));
    commits.flush(c);
    c.assign(List.of(P0, P1));
    commits.flush(c);
    assertEquals(List.of(Map.of(P1, new OffsetAndMetadata(3))), c.committed);
  }
}
