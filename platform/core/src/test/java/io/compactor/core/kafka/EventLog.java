package io.compactor.core.kafka;

import io.compactor.core.job.EventType;
import io.compactor.core.job.JobMessages;
import io.compactor.core.job.Schemas;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads a topic from the beginning for tests; every event is checked against its JSON Schema. */
final class EventLog implements AutoCloseable {
  /** One record as the test sees it. */
  record Entry(String key, EventType type, JsonNode body, ConsumerRecord<String, byte[]> record) {}

  private final KafkaConsumer<String, byte[]> consumer;
  private final List<Entry> seen = new ArrayList<>();
  private final boolean events;

  EventLog(String bootstrap, String topic, boolean events) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
        .map(i -> new TopicPartition(topic, i.partition())).toList();
    consumer.assign(parts);
    consumer.seekToBeginning(parts);
    this.events = events;
  }

  /** Polls until {@code done} holds for what was seen, or fails after {@code timeout}. */
  List<Entry> until(Predicate<List<Entry>> done, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!done.test(seen)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + "; seen: " + describe());
      }
      for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
        JsonNode body = r.value() == null || !events ? null : JobMessages.parse(r.value());
        EventType type = events ? CloudEventHeaders.type(r.headers()).orElseThrow() : null;
        if (events) {
          List<String> problems = Schemas.validate(Schemas.eventSchema(type), body);
          if (!problems.isEmpty()) {
            throw new AssertionError(type.ceType() + " violates its schema: " + problems + " in " + body);
          }
        }
        seen.add(new Entry(r.key(), type, body, r));
      }
    }
    return List.copyOf(seen);
  }

  /** @return events of {@code jobId} of {@code type} seen so far */
  List<Entry> of(String jobId, EventType type) {
    return seen.stream().filter(e -> jobId.equals(e.key()) && e.type() == type).toList();
  }

  /** @return whether the job has a terminal event */
  static Predicate<List<Entry>> ended(String jobId) {
    return list -> list.stream().anyMatch(e -> jobId.equals(e.key()) && e.type().terminal());
  }

  String describe() {
    StringBuilder b = new StringBuilder();
    for (Entry e : seen) {
      b.append("\n  ").append(e.key()).append(' ').append(e.type() == null ? "" : e.type().id()).append(' ')
          .append(e.body());
    }
    return b.toString();
  }

  @Override
  public void close() {
    consumer.close();
  }
}
