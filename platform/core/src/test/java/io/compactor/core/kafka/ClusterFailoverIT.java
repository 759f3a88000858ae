package io.compactor.core.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.core.job.ArtifactRoots;
import io.compactor.core.job.EventType;
import io.compactor.core.job.JobBoard;
import io.compactor.core.job.JobMessages;
import io.compactor.core.job.JobRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two coordinators on a three-broker cluster (replication 3, {@code min.insync.replicas} 2, brokers in their
 * own processes) while the broker coordinating their group is killed with SIGKILL mid-job: every job ends,
 * once, with its offset committed. Slow (three broker JVMs per test): runs with {@code mvn verify -Pslow}.
 */
@Tag("integration")
@Tag("slow")
class ClusterFailoverIT {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterFailoverIT.class);
  private static final Duration WAIT = Duration.ofSeconds(180);
  /**
   * Outlasts a broker's failover (6 s broker session, then leader and transaction coordinator elections) plus
   * a renewal period: a renewal held up by the failover must not let the lease lapse, or the other instance
   * would compute the job a second time (still completing it once).
   */
  private static final Duration LEASE = Duration.ofSeconds(15);
  @TempDir Path dir;
  private final List<AutoCloseable> opened = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (int i = opened.size() - 1; i >= 0; i--) {
      opened.get(i).close();
    }
  }

  @Test
  void aBrokerKilledMidJobLosesAndDoublesNothingWithTheClassicProtocol() throws Exception {
    brokerKilledMidJob("classic");
  }

  @Test
  void aBrokerKilledMidJobLosesAndDoublesNothingWithTheConsumerProtocol() throws Exception {
    brokerKilledMidJob("consumer");
  }

  private void brokerKilledMidJob(String protocol) throws Exception {
    long started = System.nanoTime();
    KafkaCluster cluster = KafkaCluster.start(3, dir.resolve("kafka"));
    opened.add(cluster);
    Admin admin = cluster.admin();
    opened.add(admin);
    Topics topics = Topics.withPrefix("it-" + protocol + ".");
    topics.ensure(admin, 4, Optional.empty());
    Map<String, TopicDescription> created = describe(admin, topics);
    for (TopicDescription t : created.values()) {
      for (TopicPartitionInfo p : t.partitions()) {
        assertEquals(3, p.replicas().size(), "the broker's default replication factor for " + t.name());
      }
    }
    assertEquals(4, created.get(topics.jobs()).partitions().size());

    String group = "failover-" + protocol;
    LayerLoopExecutor a = new LayerLoopExecutor(5, 300);
    LayerLoopExecutor b = new LayerLoopExecutor(5, 300);
    coordinator(cluster, topics, group, "a", a, protocol);
    coordinator(cluster, topics, group, "b", b, protocol);
    KafkaProducer<String, byte[]> producer = producer(cluster);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      ids.add(send(producer, topics, "before-" + i));
    }
    try (EventLog log = new EventLog(cluster.bootstrapServers(), topics.events(), true)) {
      log.until(l -> l.stream().filter(e -> e.type() == EventType.STEP_PROGRESS).map(EventLog.Entry::key)
          .distinct().count() >= 2, WAIT);
      int victim = admin.describeConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS).get(group)
          .coordinator().id();
      long killedAt = System.nanoTime();
      cluster.kill(victim);
      LOG.info("killed broker {} (coordinator of group {}) with jobs running", victim, group);
      for (int i = 0; i < 6; i++) {
        ids.add(send(producer, topics, "after-" + i));
      }
      log.until(l -> ids.stream().allMatch(id -> EventLog.ended(id).test(l)), WAIT);
      long drained = System.nanoTime();
      for (String id : ids) {
        assertEquals(1, log.of(id, EventType.COMPLETED).size(), id + " completed once" + log.describe());
        assertEquals(0, log.of(id, EventType.FAILED).size() + log.of(id, EventType.CANCELLED).size(), id);
        assertEquals(1, a.runs(id) + b.runs(id), id + " ran once");
      }
      assertTrue(a.runs.size() > 0 && b.runs.size() > 0, "both instances took jobs");
      awaitAllCommitted(admin, group, ids.size());
      LOG.info("{} protocol: {} jobs, broker {} killed; all done {} ms after the kill, test {} s", protocol,
          ids.size(), victim, TimeUnit.NANOSECONDS.toMillis(drained - killedAt),
          TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
    }
    try (EventLog dlt = new EventLog(cluster.bootstrapServers(), topics.deadLetters(), false)) {
      long end = System.nanoTime() + Duration.ofSeconds(2).toNanos();
      assertEquals(0, dlt.until(l -> System.nanoTime() > end, WAIT).size(), "no dead letters");
    }
  }

  /** @return the topics' descriptions, once every broker knows them (creation reaches brokers a bit later) */
  private static Map<String, TopicDescription> describe(Admin admin, Topics topics) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      try {
        return admin.describeTopics(List.of(topics.jobs(), topics.events(), topics.deadLetters())).allTopicNames()
            .get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("topics " + topics + " not described: " + e, e);
        }
        Thread.sleep(200);
      }
    }
  }

  private void coordinator(KafkaCluster cluster, Topics topics, String group, String instance,
      LayerLoopExecutor executor, String protocol) {
    CoordinatorSettings s = new CoordinatorSettings(cluster.bootstrapServers(), group, instance, 2, topics,
        new ArtifactRoots(List.of(dir)), Map.of("group.protocol", protocol), LEASE, Duration.ofSeconds(6));
    Coordinator c = new Coordinator(s, executor, new SimpleMeterRegistry(), new JobBoard(100));
    opened.add(c);
    c.start();
  }

  private KafkaProducer<String, byte[]> producer(KafkaCluster cluster) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    opened.add(producer);
    return producer;
  }

  private String send(KafkaProducer<String, byte[]> producer, Topics topics, String id) throws Exception {
    JobRequest r = new JobRequest(id, dir.resolve("m.onnx").toString(), dir.resolve("c.cfg").toString(),
        Optional.empty(), Optional.empty(), dir.resolve("out-" + id).toString());
    producer.send(new ProducerRecord<>(topics.jobs(), id, JobMessages.write(r))).get(60, TimeUnit.SECONDS);
    return id;
  }

  private static void awaitAllCommitted(Admin admin, String group, long total) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    long committed = 0;
    while (System.nanoTime() < deadline) {
      try {
        committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS)
            .values().stream().mapToLong(o -> o == null ? 0 : o.offset()).sum();
        if (committed >= total) {
          assertEquals(total, committed, "every record committed once");
          return;
        }
      } catch (Exception e) {
        // the offsets topic is moving to a new leader
      }
      Thread.sleep(200);
    }
    throw new AssertionError("committed " + committed + " of " + total + " offsets within " + WAIT);
  }
}
