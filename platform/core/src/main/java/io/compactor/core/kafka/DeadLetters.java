package io.compactor.core.kafka;

import io.compactor.api.CompactorException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Sends records that name no job (unreadable bytes, no job id) to the dead-letter topic with their
 * original key, value and headers, plus error headers saying why and where they came from.
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

  /** Sends {@code record} to the dead-letter topic and waits for the acknowledgement. */
  public void send(ConsumerRecord<String, byte[]> record, String reason) {
    RecordHeaders h = new RecordHeaders();
    for (Header header : record.headers()) {
      h.add(header);
    }
    CloudEventHeaders.put(h, REASON, reason);
    CloudEventHeaders.put(h, ORIGINAL_TOPIC, record.topic());
    CloudEventHeaders.put(h, ORIGINAL_PARTITION, String.valueOf(record.partition()));
    CloudEventHeaders.put(h, ORIGINAL_OFFSET, String.valueOf(record.offset()));
    CloudEventHeaders.put(h, ORIGINAL_TIMESTAMP, String.valueOf(record.timestamp()));
    CloudEventHeaders.put(h, CONSUMER_GROUP, group);
    CloudEventHeaders.put(h, INSTANCE, instance);
    try {
      producer.send(new ProducerRecord<>(topic, null, record.key(), record.value(), h)).get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new CompactorException("dead letter for " + record.topic() + "-" + record.partition() + "@"
          + record.offset() + " not acknowledged (" + e + "); it will be redelivered", e);
    }
  }
}
