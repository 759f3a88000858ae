package io.compactor.core.kafka;

import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * A Kafka interceptor, set through a coordinator's Kafka overrides, that holds the first write of every attempt
 * of one instance (its {@code accepted} event, sent while the job starts) until the test lets go: a job caught
 * between its admission and its lease. The overrides reach every client, so it is a consumer interceptor too,
 * passing everything. State is static: Kafka makes the instances; one test at a time uses it.
 */
public final class HeldStarts implements ProducerInterceptor<Object, Object>, ConsumerInterceptor<Object, Object> {
  private static volatile String instance = "";
  private static volatile CountDownLatch release = new CountDownLatch(0);
  private static final AtomicInteger HELD = new AtomicInteger();
  private boolean attempt;
  private boolean first = true;

  /**
   * Holds the starts of {@code heldInstance}'s jobs from now on.
   *
   * @return lets go of them when closed
   */
  static AutoCloseable hold(String heldInstance) {
    HELD.set(0);
    release = new CountDownLatch(1);
    instance = heldInstance;
    return HeldStarts::release;
  }

  /** Lets every held start go on, and every later one pass. */
  static void release() {
    release.countDown();
  }

  /** @return how many starts are held (or were, until released) */
  static int held() {
    return HELD.get();
  }

  @Override
  public void configure(Map<String, ?> configs) {
    attempt = String.valueOf(configs.get("client.id")).startsWith(instance + "-attempt-");
  }

  @Override
  public ProducerRecord<Object, Object> onSend(ProducerRecord<Object, Object> record) {
    if (attempt && first) {
      first = false;
      HELD.incrementAndGet();
      try {
        release.await(2, TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return record;
  }

  @Override
  public void onAcknowledgement(RecordMetadata metadata, Exception exception) {}

  @Override
  public ConsumerRecords<Object, Object> onConsume(ConsumerRecords<Object, Object> records) {
    return records;
  }

  @Override
  public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {}

  @Override
  public void close() {}
}
