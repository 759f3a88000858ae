package io.compactor.core.kafka;

import io.compactor.api.CompactorException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (KRaft, combined broker + controller) inside this JVM, for
 * {@code run --embedded-kafka}, {@code demo} and integration tests. Kafka's server classes have no
 * compatibility promise, so every use of them is kept in this class.
 */
public final class EmbeddedKafka implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
  private final Properties config;
  private final Path dataDir;
  private final String bootstrapServers;
  private KafkaRaftServer server;

  private EmbeddedKafka(KafkaRaftServer server, Properties config, Path dataDir, String bootstrapServers) {
    this.server = server;
    this.config = config;
    this.dataDir = dataDir;
    this.bootstrapServers = bootstrapServers;
  }

  /**
   * Formats a fresh temporary log directory, starts the broker on free loopback ports and waits until it
   * answers.
   *
   * @return the running broker; close it to stop it and delete its data
   */
  public static EmbeddedKafka start() {
    long started = System.nanoTime();
    try {
      Path dir = Files.createTempDirectory("compactor-kafka-");
      int brokerPort = freePort();
      int controllerPort = freePort();
      Properties p = new Properties();
      p.put("process.roles", "broker,controller");
      p.put("node.id", "1");
      p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
      p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
      p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
      p.put("controller.listener.names", "CONTROLLER");
      p.put("inter.broker.listener.name", "PLAINTEXT");
      p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
      p.put("log.dirs", dir.toString());
      p.put("num.partitions", "1");
      p.put("auto.create.topics.enable", "false");
      // one node: every internal topic has one replica, or consumer groups never form
      p.put("offsets.topic.replication.factor", "1");
      p.put("offsets.topic.num.partitions", "1");
      p.put("transaction.state.log.replication.factor", "1");
      p.put("transaction.state.log.min.isr", "1");
      p.put("share.coordinator.state.topic.replication.factor", "1");
      p.put("share.coordinator.state.topic.min.isr", "1");
      p.put("group.initial.rebalance.delay.ms", "0");
      KafkaRaftServer server = startNode(p, Uuid.randomUuid().toString());
      EmbeddedKafka kafka = new EmbeddedKafka(server, p, dir, "127.0.0.1:" + brokerPort);
      kafka.awaitReady();
      LOG.info("embedded Kafka broker ready at {} in {} ms", kafka.bootstrapServers,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
      return kafka;
    } catch (CompactorException e) {
      throw e;
    } catch (Exception e) {
      throw new CompactorException("embedded Kafka: the broker did not start (" + e
          + "); use --bootstrap-servers to connect to an existing cluster instead", e);
    }
  }

  /**
   * Formats the log directory of one KRaft node and starts it; {@link #start} runs one such node, the
   * multi-broker test cluster several (one per process, so a broker can be killed).
   *
   * @param config the node's server properties; {@code node.id} and {@code log.dirs} (one directory) set
   * @param clusterId the same for every node of a cluster
   * @return the started node
   */
  static KafkaRaftServer startNode(Properties config, String clusterId) throws Exception {
    String dir = config.getProperty("log.dirs");
    new Formatter().setNodeId(Integer.parseInt(config.getProperty("node.id"))).setClusterId(clusterId)
        .setDirectories(List.of(dir)).setMetadataLogDirectory(dir)
        .setReleaseVersion(MetadataVersion.latestProduction()).setControllerListenerName("CONTROLLER")
        .setPrintStream(new PrintStream(OutputStream.nullOutputStream())).run();
    KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(config, false), Time.SYSTEM);
    server.startup();
    return server;
  }

  private void awaitReady() throws InterruptedException {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    try (Admin admin = Admin.create(p)) {
      while (true) {
        try {
          admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
          return;
        } catch (Exception e) {
          if (System.nanoTime() > deadline) {
            throw new CompactorException("embedded Kafka: no answer at " + bootstrapServers + " after "
                + READY_TIMEOUT.toSeconds() + " s (" + e + ")");
          }
          Thread.sleep(100);
        }
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** @return {@code host:port} for clients */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** Stops the broker and keeps its data, for outage tests; {@link #restart} brings it back. */
  public synchronized void stop() {
    server.shutdown();
    server.awaitShutdown();
  }

  /** Starts the stopped broker again on the same ports and data, and waits until it answers. */
  public synchronized void restart() {
    server = new KafkaRaftServer(new KafkaConfig(config, false), Time.SYSTEM);
    server.startup();
    try {
      awaitReady();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CompactorException("embedded Kafka: interrupted while restarting", e);
    }
  }

  /** Stops the broker and deletes its data. */
  @Override
  public synchronized void close() {
    server.shutdown();
    server.awaitShutdown();
    try (Stream<Path> files = Files.walk(dataDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      LOG.warn("could not delete the embedded broker's data in {}: {}", dataDir, e.toString());
    }
  }
}
