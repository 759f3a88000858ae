package io.compactor.core.kafka;

import io.compactor.api.CompactorException;
import io.compactor.core.job.EventSink;
import io.compactor.core.job.JobEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads job events from the events topic, of one job or of all: from the moment it is opened (what
 * {@code submit --wait} does; open it before submitting the job) or from the beginning of the topic (what
 * {@code events} does). No consumer group: nothing is committed.
 */
public final class EventFollower implements AutoCloseable {
  private static final Duration POLL = Duration.ofMillis(200);

  /** Where reading starts. */
  public enum From {
    /** the topic's current end: only events published after opening */
    END,
    /** the oldest events the topic still holds */
    BEGINNING
  }

  private final KafkaConsumer<String, byte[]> consumer;
  private final Optional<String> jobId;
  private final Map<TopicPartition, Long> endsAtOpen;

  /**
   * Follows one job from now on.
   *
   * @param bootstrapServers Kafka
   * @param overrides extra client properties
   * @param topic the events topic
   * @param jobId the job to follow
   */
  public EventFollower(String bootstrapServers, Map<String, String> overrides, String topic, String jobId) {
    this(bootstrapServers, overrides, topic, Optional.of(jobId), From.END);
  }

  /**
   * @param bootstrapServers Kafka
   * @param overrides extra client properties
   * @param topic the events topic
   * @param jobId only this job's events, or all
   * @param from where to start
   * @throws CompactorException when the topic does not exist
   */
  public EventFollower(String bootstrapServers, Map<String, String> overrides, String topic, Optional<String> jobId,
      From from) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.putAll(overrides);
    this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    this.jobId = jobId;
    List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
        .map(i -> new TopicPartition(topic, i.partition())).toList();
    if (parts.isEmpty()) {
      consumer.close(Duration.ZERO);
      throw new CompactorException("kafka: topic " + topic + " does not exist; start the platform with 'compactor run' first");
    }
    consumer.assign(parts);
    if (from == From.END) {
      consumer.seekToEnd(parts);
    } else {
      consumer.seekToBeginning(parts);
    }
    parts.forEach(consumer::position); // fix the start now, before the job is submitted
    this.endsAtOpen = consumer.endOffsets(parts, Duration.ofSeconds(30));
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
      for (RecordedEvent e : poll()) {
        sink.publish(e.jobEvent());
        if (e.type().terminal()) {
          return Optional.of(e.jobEvent());
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Passes every event to {@code out}: up to the end the topic had when this was opened, or, with
   * {@code follow}, on until the thread is interrupted (then Kafka's {@code InterruptException} ends it).
   *
   * @param out where the events go, in order per job
   * @param follow whether to wait for new events after the end
   */
  public void read(Consumer<RecordedEvent> out, boolean follow) {
    while (follow || !reachedEnd()) {
      poll().forEach(out);
    }
  }

  private boolean reachedEnd() {
    return endsAtOpen.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
  }

  private List<RecordedEvent> poll() {
    List<RecordedEvent> events = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
      if (jobId.isEmpty() || jobId.get().equals(r.key())) {
        RecordedEvent.of(r).ifPresent(events::add);
      }
    }
    return events;
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(5));
  }
}
