package io.compactor.core.kafka;

import io.compactor.api.CompactorException;
import io.compactor.core.job.EventSink;
import io.compactor.core.job.JobEvent;
import io.compactor.core.job.JobMessages;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Follows one job's events on the events topic, from the moment it is opened (open it before
 * submitting the job), until the job's terminal event. No consumer group: nothing is committed.
 */
public final class EventFollower implements AutoCloseable {
  private final KafkaConsumer<String, byte[]> consumer;
  private final String jobId;

  /**
   * @param bootstrapServers Kafka
   * @param overrides extra client properties
   * @param topic the events topic
   * @param jobId the job to follow
   */
  public EventFollower(String bootstrapServers, Map<String, String> overrides, String topic, String jobId) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.putAll(overrides);
    this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    this.jobId = jobId;
    List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
        .map(i -> new TopicPartition(topic, i.partition())).toList();
    if (parts.isEmpty()) {
      throw new CompactorException("kafka: topic " + topic + " does not exist; start the platform with 'compactor run' first");
    }
    consumer.assign(parts);
    consumer.seekToEnd(parts);
    parts.forEach(consumer::position); // fix the start now, before the job is submitted
  }

  /**
   * Passes the job's events to {@code sink} until its terminal event.
   *
   * @param timeout how long to wait in all
   * @return the terminal event, or empty on timeout
   */
  public Optional<JobEvent> follow(EventSink sink, Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
        if (!jobId.equals(r.key())) {
          continue;
        }
        var type = CloudEventHeaders.type(r.headers());
        if (type.isEmpty()) {
          continue;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> data = JobMessages.json().convertValue(JobMessages.parse(r.value()), LinkedHashMap.class);
        JobEvent e = new JobEvent(type.get(), jobId, Instant.ofEpochMilli(r.timestamp()), data);
        sink.publish(e);
        if (type.get().terminal()) {
          return Optional.of(e);
        }
      }
    }
    return Optional.empty();
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(5));
  }
}
