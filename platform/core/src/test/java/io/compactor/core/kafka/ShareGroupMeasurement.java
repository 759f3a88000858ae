package io.compactor.core.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * An evaluation, not a test: Kafka share groups ({@link KafkaShareConsumer}, KIP-932) as the job queue, on the
 * embedded KRaft broker. Prints records/s through one share consumer with explicit acknowledgement, the order in
 * which two consumers see one key's records, and how long a record held by a consumer that stops (as a killed
 * instance would) takes to reach another consumer. docs/architecture.md gives the figures and the choice.
 */
final class ShareGroupMeasurement {
  private static final int RECORDS = 500;

  private ShareGroupMeasurement() {}

  public static void main(String[] args) throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      Properties common = new Properties();
      common.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
      try (Admin admin = Admin.create(common);
          KafkaProducer<String, String> producer = new KafkaProducer<>(common, new StringSerializer(),
              new StringSerializer())) {
        // one partition: both members of a share group are given it and share its records
        admin.createTopics(List.of(new NewTopic("queue", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.GROUP, "share-eval"),
            List.of(new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "earliest"),
                AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
        KafkaShareConsumer<String, String> a = consumer(common, "a");
        KafkaShareConsumer<String, String> b = consumer(common, "b");
        long start = System.nanoTime();
        for (int i = 0; i < RECORDS; i++) {
          producer.send(new ProducerRecord<>("queue", "job-" + (i % 10), String.valueOf(i)));
        }
        producer.flush();
        Map<String, List<Integer>> orderA = new HashMap<>();
        int seen = 0;
        int outOfOrder = 0;
        Map<String, Integer> lastOfKey = new HashMap<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (seen < RECORDS && System.nanoTime() < deadline) {
          for (KafkaShareConsumer<String, String> c : List.of(a, b)) {
            for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(20))) {
              int v = Integer.parseInt(r.value());
              Integer last = lastOfKey.put(r.key(), v);
              if (last != null && last > v) {
                outOfOrder++;
              }
              orderA.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(v);
              c.acknowledge(r, AcknowledgeType.ACCEPT);
              seen++;
            }
            c.commitSync();
          }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("share group: %d records acknowledged one by one by 2 consumers in %.2f s (%.0f records/s);"
            + " %d records seen after a later record of the same key%n", seen, seconds, seen / seconds, outOfOrder);

        // a consumer that acquired a record and then stops (no ack, no close): when does the other get it?
        producer.send(new ProducerRecord<>("queue", "held", "-1")).get();
        ConsumerRecord<String, String> held = null;
        KafkaShareConsumer<String, String> holder = null;
        while (held == null) {
          for (KafkaShareConsumer<String, String> c : List.of(a, b)) {
            for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(50))) {
              held = r;
              holder = c;
            }
            if (held != null) {
              break;
            }
          }
        }
        long heldAt = System.nanoTime();
        KafkaShareConsumer<String, String> other = holder == a ? b : a;
        ConsumerRecord<String, String> again = null;
        while (again == null && System.nanoTime() - heldAt < TimeUnit.SECONDS.toNanos(120)) {
          for (ConsumerRecord<String, String> r : other.poll(Duration.ofMillis(200))) {
            if (r.key().equals("held")) {
              again = r;
              other.acknowledge(r, AcknowledgeType.ACCEPT);
            }
          }
          other.commitSync();
        }
        System.out.printf("share group: a record held by a stopped consumer reached the other after %d ms "
            + "(delivery count %s; the broker's group.share.record.lock.duration.ms decides)%n",
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - heldAt),
            again == null ? "never" : String.valueOf(again.deliveryCount().orElse((short) -1)));
        other.close();
      }
    }
  }

  private static KafkaShareConsumer<String, String> consumer(Properties common, String id) {
    Properties p = new Properties();
    p.putAll(common);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "share-eval");
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, id);
    p.put("share.acknowledgement.mode", "explicit");
    KafkaShareConsumer<String, String> c = new KafkaShareConsumer<>(p, new StringDeserializer(),
        new StringDeserializer());
    c.subscribe(List.of("queue"));
    return c;
  }
}
