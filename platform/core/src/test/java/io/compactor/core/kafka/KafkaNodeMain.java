package io.compactor.core.kafka;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/** One node of {@link KafkaCluster}, in its own process so that the test can kill it like a crashed broker. */
public final class KafkaNodeMain {
  private KafkaNodeMain() {}

  /** @param args the node's properties file; {@code compactor.cluster.id} there is the cluster id */
  public static void main(String[] args) throws Exception {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(Path.of(args[0]))) {
      p.load(r);
    }
    String clusterId = (String) p.remove("compactor.cluster.id");
    EmbeddedKafka.startNode(p, clusterId);
    System.out.println("node " + p.getProperty("node.id") + " started");
    Thread.currentThread().join(); // until killed
  }
}
