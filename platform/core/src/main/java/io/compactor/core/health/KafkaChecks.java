package io.compactor.core.health;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;

/**
 * The Kafka side of readiness, asked of the broker with an admin client: is a broker answering, and is this
 * instance's consumer a member of its group (with or without partitions: an instance beyond the partition
 * count is still ready to take over).
 */
public final class KafkaChecks implements AutoCloseable {
  private final Admin admin;
  private final String bootstrapServers;
  private final String groupId;
  private final String clientId;
  private final Duration timeout;

  /**
   * @param bootstrapServers the cluster
   * @param overrides client properties every client gets (security settings)
   * @param groupId the consumer group the coordinator joins
   * @param clientId the coordinator consumer's {@code client.id}, by which its member is recognized
   * @param timeout the longest wait for each answer
   */
  public KafkaChecks(String bootstrapServers, Map<String, String> overrides, String groupId, String clientId,
      Duration timeout) {
    Properties p = new Properties();
    p.putAll(overrides);
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId + "-health");
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(timeout.toMillis()));
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(timeout.toMillis()));
    this.admin = Admin.create(p);
    this.bootstrapServers = bootstrapServers;
    this.groupId = groupId;
    this.clientId = clientId;
    this.timeout = timeout;
  }

  /** @return UP with the number of brokers when the cluster answers within the timeout */
  public Check broker() {
    try {
      int brokers = admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS).size();
      return Check.up("broker", brokers + " broker(s) answering at " + bootstrapServers);
    } catch (ExecutionException | TimeoutException e) {
      return Check.down("broker", "no answer from " + bootstrapServers + " within " + timeout.toMillis() + " ms ("
          + cause(e) + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Check.down("broker", "interrupted");
    }
  }

  /** @return UP when a member of the group has this instance's client id */
  public Check group() {
    try {
      ConsumerGroupDescription g = admin.describeConsumerGroups(List.of(groupId)).describedGroups().get(groupId)
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      List<MemberDescription> mine = g.members().stream().filter(m -> clientId.equals(m.clientId())).toList();
      if (mine.isEmpty()) {
        return Check.down("group", "consumer " + clientId + " is not a member of group " + groupId + " (state "
            + g.groupState() + ", " + g.members().size() + " member(s))");
      }
      int partitions = mine.stream().mapToInt(m -> m.assignment().topicPartitions().size()).sum();
      return Check.up("group", "member of group " + groupId + " with " + partitions + " partition(s)");
    } catch (ExecutionException | TimeoutException e) {
      return Check.down("group", "group " + groupId + " not described within " + timeout.toMillis() + " ms ("
          + cause(e) + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Check.down("group", "interrupted");
    }
  }

  private static String cause(Exception e) {
    Throwable c = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
    return c.getClass().getSimpleName() + (c.getMessage() == null ? "" : ": " + c.getMessage());
  }

  @Override
  public void close() {
    admin.close(Duration.ofSeconds(5));
  }
}
