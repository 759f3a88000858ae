package io.compactor.core.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.api.CompactorException;
import io.compactor.core.job.EventType;
import io.compactor.core.job.JobEvent;
import io.compactor.core.metrics.JobMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The decisions of TerminalDelivery: retry what may pass, dead-letter what cannot, redeliver only when Kafka is gone. */
class TerminalDeliveryTest {
  private static final JobEvent COMPLETED = JobEvent.of(EventType.COMPLETED, "job-1", Map.of("outputs", Map.of(),
      "summary", Map.of()));
  private static final ConsumerRecord<String, byte[]> RECORD = new ConsumerRecord<>("compactor.jobs", 2, 41, "job-1",
      "{\"jobId\":\"job-1\"}".getBytes(StandardCharsets.UTF_8));
  private final MockProducer<String, byte[]> dlt = new MockProducer<>(true, null, new StringSerializer(),
      new ByteArraySerializer());
  private final List<JobEvent> published = new ArrayList<>();
  private final List<JobEvent> attempted = new ArrayList<>();

  /** A sink that refuses the first {@code failures} events with {@code cause}, as EventPublisher wraps it. */
  private TerminalDelivery delivery(int failures, RuntimeException cause) {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    return new TerminalDelivery(e -> {
      attempted.add(e);
      if (attempted.size() <= failures) {
        throw new CompactorException("not acknowledged", new ExecutionException(cause));
      }
      published.add(e);
    }, new DeadLetters(dlt, "compactor.jobs.dlt", "g", "i"), new JobMetrics(registry), Duration.ofMillis(1));
  }

  @Test
  void aRetriableFailureIsRetriedAndTheEventPublished() {
    assertSame(COMPLETED, delivery(2, new NotEnoughReplicasException("isr")).deliver(COMPLETED, RECORD, 3));
    assertEquals(3, attempted.size());
    assertEquals(List.of(COMPLETED), published);
    assertTrue(dlt.history().isEmpty());
  }

  @Test
  void anEventKafkaRefusesIsTriedOnceThenReplacedByAFailedEventAndDeadLettered() {
    JobEvent end = delivery(1, new RecordTooLargeException("too large")).deliver(COMPLETED, RECORD, 3);
    assertEquals(EventType.FAILED, end.type());
    assertEquals(List.of(end), published, "one attempt, then the short failed event");
    assertEquals(1, dlt.history().size());
    var letter = dlt.history().get(0);
    assertEquals("job-1", letter.key());
    String reason = CloudEventHeaders.header(letter.headers(), DeadLetters.REASON).orElseThrow();
    assertEquals("the completed event of job job-1 could not be published after 1 attempt: "
        + "org.apache.kafka.common.errors.RecordTooLargeException: too large", reason);
    assertEquals("41", CloudEventHeaders.header(letter.headers(), DeadLetters.ORIGINAL_OFFSET).orElseThrow());
  }

  @Test
  void retriesAreBoundedThenTheRecordIsDeadLettered() {
    JobEvent end = delivery(Integer.MAX_VALUE, new NotEnoughReplicasException("isr")).deliver(COMPLETED, RECORD, 3);
    assertEquals(EventType.FAILED, end.type());
    assertEquals(4, attempted.size(), "3 tries, then the failed event");
    assertTrue(CloudEventHeaders.header(dlt.history().get(0).headers(), DeadLetters.REASON).orElseThrow()
        .contains("after 3 attempts"));
  }

  @Test
  void whenNotEvenTheDeadLetterIsWrittenTheRecordIsRedelivered() {
    dlt.sendException = new TimeoutException("broker unreachable");
    assertThrows(CompactorException.class,
        () -> delivery(Integer.MAX_VALUE, new TimeoutException("broker unreachable")).deliver(COMPLETED, RECORD, 2));
  }
}
