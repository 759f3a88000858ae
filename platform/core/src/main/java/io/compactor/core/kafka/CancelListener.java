package io.compactor.core.kafka;

import io.compactor.core.job.JobMessages;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches every partition of the jobs topic for cancel requests, outside the consumer group: the
 * group consumer keeps a partition paused while its job runs, so it could not see a cancel queued
 * behind the job. Every instance sees every cancel and remembers recent ones, so a job cancelled while
 * still queued is cancelled as soon as it starts. A cancel applies only to a job request that came
 * before it on the partition (key = job id, so both share one): a cancel for an id never seen does not
 * cancel a job submitted later under that id.
 */
final class CancelListener implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CancelListener.class);
  private static final int REMEMBERED = 10_000;
  private final KafkaConsumer<String, byte[]> consumer;
  private final String topic;
  private final Consumer<Seen> onCancel;
  /** The latest cancel seen per job id. */
  private final Map<String, Seen> cancelled = Collections.synchronizedMap(new LinkedHashMap<>() {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Seen> eldest) {
      return size() > REMEMBERED;
    }
  });

  /**
   * A cancel request's place on the jobs topic.
   *
   * @param jobId the job to cancel
   * @param partition its partition
   * @param offset its offset
   */
  record Seen(String jobId, int partition, long offset) {
    /** @return whether this cancel came after the job request at {@code partition}/{@code offset} */
    boolean covers(int partition, long offset) {
      return this.partition == partition && this.offset > offset;
    }
  }
  private final Thread thread;
  private volatile boolean running = true;

  CancelListener(Properties common, String topic, String instance, Consumer<Seen> onCancel) {
    Properties p = new Properties();
    p.putAll(common);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, instance + "-cancels");
    p.remove(ConsumerConfig.GROUP_ID_CONFIG);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    this.topic = topic;
    this.onCancel = onCancel;
    this.thread = new Thread(this::loop, "compactor-cancels");
    this.thread.setDaemon(true);
  }

  /** Assigns all partitions at their end (only cancels sent from now on count), then starts watching. */
  void start() {
    List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
        .map(i -> new TopicPartition(topic, i.partition())).toList();
    consumer.assign(parts);
    consumer.seekToEnd(parts);
    parts.forEach(consumer::position);
    thread.start();
  }

  /**
   * @param jobId a job about to start
   * @param partition the partition of its request
   * @param offset the offset of its request
   * @return whether a cancel request for it was seen after its request
   */
  boolean isCancelled(String jobId, int partition, long offset) {
    Seen seen = cancelled.get(jobId);
    return seen != null && seen.covers(partition, offset);
  }

  private void loop() {
    try {
      while (running) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (JobMessages.read(r.value(), r.key()) instanceof JobMessages.Cancel c) {
            LOG.info("cancel requested for job {}", c.jobId());
            Seen seen = new Seen(c.jobId(), r.partition(), r.offset());
            cancelled.put(c.jobId(), seen);
            onCancel.accept(seen);
          }
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      LOG.error("the cancel listener stopped: {}", e.toString());
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
