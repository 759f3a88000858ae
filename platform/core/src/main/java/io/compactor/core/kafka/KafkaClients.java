package io.compactor.core.kafka;

import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The Kafka client settings of a coordinator: an idempotent producer for events and dead letters, the
 * group consumer of the jobs topic, and the group-less consumer of the cancel listener. The user's
 * properties ({@code --kafka-property}) are applied last and win.
 */
final class KafkaClients {
  /** Kafka's {@code group.protocol}: {@code classic} (the default) or {@code consumer} (KIP-848). */
  static final String GROUP_PROTOCOL = "group.protocol";

  private KafkaClients() {}

  /** @return whether the group consumer uses the broker-driven protocol of KIP-848 */
  static boolean consumerProtocol(Map<String, String> overrides) {
    return "consumer".equalsIgnoreCase(overrides.getOrDefault(GROUP_PROTOCOL, "classic").trim());
  }

  static KafkaProducer<String, byte[]> producer(CoordinatorSettings s) {
    Properties p = common(s);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, s.instanceId() + "-events");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    p.putAll(s.kafkaOverrides());
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  static KafkaConsumer<String, byte[]> groupConsumer(CoordinatorSettings s) {
    return new KafkaConsumer<>(groupConsumerProperties(s), new StringDeserializer(), new ByteArrayDeserializer());
  }

  /**
   * One record per poll, commits by hand. Under the classic protocol the client sets the session timeout,
   * heartbeat and assignor; under {@code group.protocol=consumer} the broker owns them (its
   * {@code group.consumer.*} settings) and the client refuses them, so they are left out.
   */
  static Properties groupConsumerProperties(CoordinatorSettings s) {
    Properties p = common(s);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, s.groupId());
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, s.instanceId());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    if (!consumerProtocol(s.kafkaOverrides())) {
      p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
      p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, String.valueOf(s.sessionTimeout().toMillis()));
      p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG,
          String.valueOf(Math.max(500, s.sessionTimeout().toMillis() / 3)));
    }
    p.putAll(s.kafkaOverrides());
    return p;
  }

  /** @return the base of the cancel listener's consumer: no group, so no group protocol either */
  static Properties cancelListener(CoordinatorSettings s) {
    Properties p = common(s);
    p.putAll(s.kafkaOverrides());
    p.remove(GROUP_PROTOCOL);
    return p;
  }

  private static Properties common(CoordinatorSettings s) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers());
    return p;
  }
}
