package io.compactor.core.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.api.CompactorException;
import io.compactor.core.job.JobLimits;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** Dead letters are bounded, and one the topic still refuses is sent again without its value. */
class DeadLettersTest {
  private static final byte[] BIG = "x".repeat(900_000).getBytes(StandardCharsets.UTF_8);

  /** A producer that fails every record over {@code maxValue} bytes (or every one) like a broker would. */
  private static final class Topic extends MockProducer<String, byte[]> {
    final List<ProducerRecord<String, byte[]>> accepted = new ArrayList<>();
    private final int maxValue;
    private final RuntimeException failure;

    Topic(int maxValue, RuntimeException failure) {
      super(true, null, new StringSerializer(), new ByteArraySerializer());
      this.maxValue = maxValue;
      this.failure = failure;
    }

    @Override
    public synchronized Future<RecordMetadata> send(ProducerRecord<String, byte[]> r, Callback callback) {
      if (r.value() != null && r.value().length > maxValue) {
        return CompletableFuture.failedFuture(failure);
      }
      accepted.add(r);
      return CompletableFuture.completedFuture(null);
    }
  }

  private static ConsumerRecord<String, byte[]> record(String key, byte[] value) {
    return new ConsumerRecord<>("compactor.jobs", 1, 7, key, value);
  }

  @Test
  void aLargeValueIsCutAndItsSizeNoted() {
    Topic topic = new Topic(Integer.MAX_VALUE, null);
    new DeadLetters(topic, "dlt", "g", "i").send(record("k".repeat(5000), BIG), "r".repeat(20_000));
    var letter = topic.accepted.get(0);
    assertEquals(JobLimits.MAX_DEAD_LETTER_VALUE_BYTES, letter.value().length);
    assertEquals(String.valueOf(BIG.length), CloudEventHeaders.header(letter.headers(), DeadLetters.VALUE_BYTES)
        .orElseThrow());
    assertEquals(1024, letter.key().length());
    assertEquals(JobLimits.MAX_EVENT_STRING_CHARS, CloudEventHeaders.header(letter.headers(), DeadLetters.REASON)
        .orElseThrow().length());
  }

  @Test
  void aDeadLetterTheTopicRefusesIsSentAgainWithoutItsValue() {
    Topic topic = new Topic(100, new RecordTooLargeException("over max.message.bytes"));
    new DeadLetters(topic, "dlt", "g", "i").send(record("job-1", BIG), "not JSON");
    var letter = topic.accepted.get(0);
    assertNull(letter.value());
    String reason = CloudEventHeaders.header(letter.headers(), DeadLetters.REASON).orElseThrow();
    assertTrue(reason.startsWith("not JSON (dead letter without the value: ") && reason.contains("RecordTooLarge"),
        reason);
    assertEquals("7", CloudEventHeaders.header(letter.headers(), DeadLetters.ORIGINAL_OFFSET).orElseThrow());
  }

  @Test
  void aRetriableRefusalIsNotDowngradedButRedelivered() {
    Topic topic = new Topic(100, new NotLeaderOrFollowerException("moving"));
    assertThrows(CompactorException.class, () -> new DeadLetters(topic, "dlt", "g", "i").send(record("job-1", BIG),
        "not JSON"));
    assertTrue(topic.accepted.isEmpty());
  }
}
