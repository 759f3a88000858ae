package io.compactor.core.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.core.job.ArtifactRoots;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The group consumer's settings under both group protocols, checked by constructing real Kafka consumers. */
class KafkaClientsTest {
  // nothing listens there: constructing a consumer does not connect
  private static final String NOWHERE = "127.0.0.1:9";
  private static final List<String> CLASSIC_ONLY = List.of(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG,
      ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG);
  @TempDir Path dir;

  private CoordinatorSettings settings(Map<String, String> overrides) {
    return new CoordinatorSettings(NOWHERE, "g", "i", 1, Topics.DEFAULT, new ArtifactRoots(List.of(dir)),
        overrides, Duration.ofSeconds(30), Duration.ofSeconds(9));
  }

  private static void construct(Properties p) {
    new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer()).close(Duration.ZERO);
  }

  @Test
  void theClassicProtocolGetsTheSessionTimeoutHeartbeatAndCooperativeAssignor() {
    Properties p = KafkaClients.groupConsumerProperties(settings(Map.of()));
    assertEquals("9000", p.get(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG));
    assertEquals("3000", p.get(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG));
    assertTrue(p.get(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG).toString().contains("CooperativeSticky"));
    construct(p);
  }

  @Test
  void theConsumerProtocolLeavesOutWhatTheBrokerOwnsAndTheClientAccepts() {
    for (String protocol : List.of("consumer", "CONSUMER", " consumer ")) {
      Properties p = KafkaClients.groupConsumerProperties(settings(Map.of("group.protocol", protocol)));
      CLASSIC_ONLY.forEach(k -> assertFalse(p.containsKey(k), k + " set under " + protocol));
      assertEquals("false", p.get(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG));
      assertEquals("1", p.get(ConsumerConfig.MAX_POLL_RECORDS_CONFIG));
      if (protocol.equals("consumer")) {
        construct(p);
      }
    }
    // what the coordinator used to set: Kafka refuses it under the new protocol
    Properties old = KafkaClients.groupConsumerProperties(settings(Map.of()));
    old.put("group.protocol", "consumer");
    assertThrows(KafkaException.class, () -> construct(old));
  }

  @Test
  void theCancelListenerHasNoGroupSoNoGroupProtocol() {
    Properties p = KafkaClients.cancelListener(settings(Map.of("group.protocol", "consumer",
        "security.protocol", "PLAINTEXT")));
    assertFalse(p.containsKey("group.protocol"));
    assertEquals("PLAINTEXT", p.get("security.protocol"));
    assertEquals(NOWHERE, p.get(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG));
  }
}
