package io.compactor.core.kafka;

import java.io.IOException;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A KRaft cluster of combined broker-and-controller nodes, each a separate JVM, for tests that kill a
 * broker: {@link #kill} is SIGKILL, no controlled shutdown. Replication 3 and {@code min.insync.replicas}
 * 2 by default, for every topic including the group offsets.
 */
final class KafkaCluster implements AutoCloseable {
  private static final Duration READY = Duration.ofSeconds(120);
  private final Map<Integer, Process> nodes = new LinkedHashMap<>();
  private final Map<Integer, Integer> brokerPorts = new LinkedHashMap<>();

  private KafkaCluster() {}

  /**
   * @param size nodes (3 for a quorum that survives one loss)
   * @param dir where the nodes' data, properties and logs go
   * @return the cluster, every broker answering
   */
  static KafkaCluster start(int size, Path dir) throws Exception {
    KafkaCluster c = new KafkaCluster();
    Files.createDirectories(dir);
    try {
      Map<Integer, Integer> controllerPorts = new LinkedHashMap<>();
      for (int id = 1; id <= size; id++) {
        c.brokerPorts.put(id, freePort());
        controllerPorts.put(id, freePort());
      }
      String voters = controllerPorts.entrySet().stream().map(e -> e.getKey() + "@127.0.0.1:" + e.getValue())
          .collect(Collectors.joining(","));
      String clusterId = Uuid.randomUuid().toString();
      String replicas = String.valueOf(Math.min(3, size));
      String minIsr = String.valueOf(Math.max(1, Math.min(3, size) - 1));
      for (int id = 1; id <= size; id++) {
        Properties p = new Properties();
        p.put("compactor.cluster.id", clusterId);
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(id));
        p.put("controller.quorum.voters", voters);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + c.brokerPorts.get(id) + ",CONTROLLER://127.0.0.1:"
            + controllerPorts.get(id));
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + c.brokerPorts.get(id));
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", dir.resolve("node-" + id).toString());
        p.put("auto.create.topics.enable", "false");
        p.put("default.replication.factor", replicas);
        p.put("min.insync.replicas", minIsr);
        p.put("offsets.topic.replication.factor", replicas);
        p.put("offsets.topic.num.partitions", "3");
        p.put("transaction.state.log.replication.factor", replicas);
        p.put("transaction.state.log.min.isr", minIsr);
        p.put("share.coordinator.state.topic.replication.factor", replicas);
        p.put("share.coordinator.state.topic.min.isr", minIsr);
        p.put("group.initial.rebalance.delay.ms", "0");
        // a killed broker is fenced, and its partitions led elsewhere, after this long
        p.put("broker.session.timeout.ms", "6000");
        Path props = dir.resolve("node-" + id + ".properties");
        try (Writer w = Files.newBufferedWriter(props)) {
          p.store(w, null);
        }
        c.launch(id, props, dir.resolve("node-" + id + ".log"));
      }
      c.awaitBrokers(size);
      return c;
    } catch (Exception | AssertionError e) {
      c.close();
      throw e;
    }
  }

  private void launch(int id, Path props, Path log) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-Xmx384m", "-cp", System.getProperty("java.class.path"),
        KafkaNodeMain.class.getName(), props.toString()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    nodes.put(id, p);
  }

  private void awaitBrokers(int count) throws InterruptedException {
    long deadline = System.nanoTime() + READY.toNanos();
    try (Admin admin = admin()) {
      while (true) {
        try {
          if (admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size() >= count) {
            return;
          }
        } catch (Exception e) {
          // not up yet
        }
        nodes.forEach((id, p) -> {
          if (!p.isAlive()) {
            throw new AssertionError("kafka node " + id + " exited with " + p.exitValue() + "; see its log");
          }
        });
        if (System.nanoTime() > deadline) {
          throw new AssertionError(count + " brokers not up within " + READY);
        }
        Thread.sleep(200);
      }
    }
  }

  /** @return every broker's address */
  String bootstrapServers() {
    return brokerPorts.values().stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
  }

  Admin admin() {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    return Admin.create(p);
  }

  /** Kills node {@code id} with SIGKILL and waits until its process is gone. */
  void kill(int id) throws InterruptedException {
    Process p = nodes.get(id);
    p.destroyForcibly();
    p.waitFor(30, TimeUnit.SECONDS);
  }

  /** @return the ids of the nodes still running */
  List<Integer> alive() {
    return new ArrayList<>(IntStream.rangeClosed(1, nodes.size()).filter(id -> nodes.get(id).isAlive()).boxed()
        .toList());
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() {
    nodes.values().forEach(Process::destroyForcibly);
    nodes.values().forEach(p -> {
      try {
        p.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
  }
}
