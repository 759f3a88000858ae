package io.compactor.core.kafka;

import io.compactor.api.CompactorException;
import io.compactor.core.job.JobLimits;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Sends records the platform cannot answer with an event (unreadable bytes, no job id or key, a terminal
 * event Kafka refuses) to the dead-letter topic with their original key, value and headers, plus error
 * headers saying why and where they came from.
 */
public final class DeadLetters {
  /** Header: why the record could not be used. */
  public static final String REASON = "compactor.dlt.reason";
  /** Header: topic, partition, offset and timestamp of the original record. */
  public static final String ORIGINAL_TOPIC = "compactor.dlt.original-topic";
  public static final String ORIGINAL_PARTITION = "compactor.dlt.original-partition";
  public static final String ORIGINAL_OFFSET = "compactor.dlt.original-offset";
  public static final String ORIGINAL_TIMESTAMP = "compactor.dlt.original-timestamp";
  /** Header: the consumer group and instance that rejected it. */
  public static final String CONSUMER_GROUP = "compactor.dlt.consumer-group";
  public static final String INSTANCE = "compactor.dlt.instance";
  /** Header: the original value's size in bytes, present when the value was cut to fit. */
  public static final String VALUE_BYTES = "compactor.dlt.original-value-bytes";
  /** Header: how many original headers were left out to keep the dead letter small. */
  public static final String HEADERS_DROPPED = "compactor.dlt.original-headers-dropped";
  /** Original headers are copied while their total stays under this many bytes. */
  private static final int MAX_COPIED_HEADER_BYTES = 16 * 1024;
  /** Longest reason of a dead letter sent without its value, after the full one was refused. */
  private static final int MINIMAL_REASON_CHARS = 1024;
  /** Longest key kept; keys are job ids, far shorter. */
  private static final int MAX_KEY_CHARS = 1024;

  private final Producer<String, byte[]> producer;
  private final String topic;
  private final String group;
  private final String instance;

  /**
   * @param producer a shared producer; not closed here
   * @param topic the dead-letter topic
   * @param group this consumer group
   * @param instance this instance's id
   */
  public DeadLetters(Producer<String, byte[]> producer, String topic, String group, String instance) {
    this.producer = producer;
    this.topic = topic;
    this.group = group;
    this.instance = instance;
  }

  /**
   * Sends {@code record} to the dead-letter topic and waits for the acknowledgement. The dead letter is
   * bounded like every record the platform writes: a value over {@link JobLimits#MAX_DEAD_LETTER_VALUE_BYTES}
   * is cut (its size in {@link #VALUE_BYTES}; the original stays on its topic at the offset given), bulky
   * original headers are left out (counted in {@link #HEADERS_DROPPED}), the reason is cut. When the topic
   * still refuses it (not a retriable error), a dead letter without value and original headers is sent.
   *
   * @throws CompactorException when Kafka does not acknowledge it; the record is then redelivered
   */
  public void send(ConsumerRecord<String, byte[]> record, String reason) {
    RecordHeaders h = new RecordHeaders();
    int headerBytes = 0;
    int dropped = 0;
    for (Header header : record.headers()) {
      int size = header.key().length() + (header.value() == null ? 0 : header.value().length);
      if (headerBytes + size > MAX_COPIED_HEADER_BYTES) {
        dropped++;
      } else {
        headerBytes += size;
        h.add(header);
      }
    }
    if (dropped > 0) {
      CloudEventHeaders.put(h, HEADERS_DROPPED, String.valueOf(dropped));
    }
    byte[] value = record.value();
    if (value != null && value.length > JobLimits.MAX_DEAD_LETTER_VALUE_BYTES) {
      CloudEventHeaders.put(h, VALUE_BYTES, String.valueOf(value.length));
      value = Arrays.copyOf(value, JobLimits.MAX_DEAD_LETTER_VALUE_BYTES);
    }
    origin(h, record, JobLimits.cut(reason, JobLimits.MAX_EVENT_STRING_CHARS));
    try {
      deliver(record, value, h);
    } catch (ExecutionException e) {
      if (TerminalDelivery.retriable(e)) {
        throw notAcknowledged(record, e);
      }
      // refused as it is (e.g. a dead-letter topic with a small max.message.bytes): where it came from and
      // why, without the value, still fits, and the original stays on its topic at the offset given
      RecordHeaders minimal = new RecordHeaders();
      CloudEventHeaders.put(minimal, VALUE_BYTES, String.valueOf(record.value() == null ? 0 : record.value().length));
      origin(minimal, record, JobLimits.cut(reason, MINIMAL_REASON_CHARS) + " (dead letter without the value: "
          + e.getCause() + ")");
      try {
        deliver(record, null, minimal);
      } catch (Exception again) {
        throw notAcknowledged(record, again);
      }
    } catch (Exception e) {
      throw notAcknowledged(record, e);
    }
  }

  private void origin(RecordHeaders h, ConsumerRecord<String, byte[]> record, String reason) {
    CloudEventHeaders.put(h, REASON, reason);
    CloudEventHeaders.put(h, ORIGINAL_TOPIC, record.topic());
    CloudEventHeaders.put(h, ORIGINAL_PARTITION, String.valueOf(record.partition()));
    CloudEventHeaders.put(h, ORIGINAL_OFFSET, String.valueOf(record.offset()));
    CloudEventHeaders.put(h, ORIGINAL_TIMESTAMP, String.valueOf(record.timestamp()));
    CloudEventHeaders.put(h, CONSUMER_GROUP, group);
    CloudEventHeaders.put(h, INSTANCE, instance);
  }

  private void deliver(ConsumerRecord<String, byte[]> record, byte[] value, RecordHeaders h) throws Exception {
    String key = record.key() == null ? null : JobLimits.cut(record.key(), MAX_KEY_CHARS);
    producer.send(new ProducerRecord<>(topic, null, key, value, h)).get(60, TimeUnit.SECONDS);
  }

  private static CompactorException notAcknowledged(ConsumerRecord<String, byte[]> record, Exception e) {
    if (e instanceof InterruptedException) {
      Thread.currentThread().interrupt();
    }
    return new CompactorException("dead letter for " + record.topic() + "-" + record.partition() + "@"
        + record.offset() + " not acknowledged (" + e + "); it will be redelivered", e);
  }
}
