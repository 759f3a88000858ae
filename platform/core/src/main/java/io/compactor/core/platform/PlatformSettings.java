package io.compactor.core.platform;

import io.compactor.core.artifact.S3Settings;
import io.compactor.core.chain.ChainSettings;
import io.compactor.core.job.ArtifactRoots;
import io.compactor.core.kafka.CoordinatorSettings;
import io.compactor.core.kafka.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything a running platform needs, resolved from options, environment and settings file.
 *
 * @param bootstrapServers the Kafka to join; empty starts an embedded single-node broker
 * @param bundles the directory of bundle jars the host watches
 * @param httpPort the port of {@code /metrics}, {@code /health}, {@code /bundles}, {@code /jobs/{id}}; 0 picks one
 * @param groupId the consumer group all instances sharing the work join
 * @param instanceId this instance's id
 * @param concurrency jobs run at once by this instance
 * @param topics the contract's topics
 * @param jobPartitions partitions of the jobs topic when the platform creates it
 * @param replicationFactor replicas of the topics the platform creates; empty takes the broker's
 *     {@code default.replication.factor}
 * @param roots directories and S3 bucket prefixes jobs may read and write
 * @param kafkaOverrides extra Kafka client properties (security settings and the like)
 * @param chain how jobs run
 * @param s3 how {@code s3://} artifacts are reached
 * @param sessionTimeout how long a running job's lease lasts without renewal, and the group's session under the
 *     classic protocol: how soon a killed instance's job is taken over; above the brokers' failover time, or a
 *     broker failure lets a running job start a second time elsewhere (it still completes once)
 */
public record PlatformSettings(Optional<String> bootstrapServers, Path bundles, int httpPort, String groupId,
    String instanceId, int concurrency, Topics topics, int jobPartitions, Optional<Short> replicationFactor,
    ArtifactRoots roots, Map<String, String> kafkaOverrides, ChainSettings chain, S3Settings s3,
    Duration sessionTimeout) {
  /** The default {@link #sessionTimeout}. */
  public static final Duration SESSION_TIMEOUT = Duration.ofSeconds(10);

  public PlatformSettings {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Objects.requireNonNull(bundles, "bundles");
    Objects.requireNonNull(groupId, "groupId");
    Objects.requireNonNull(instanceId, "instanceId");
    Objects.requireNonNull(topics, "topics");
    Objects.requireNonNull(roots, "roots");
    kafkaOverrides = Map.copyOf(kafkaOverrides);
    Objects.requireNonNull(chain, "chain");
    Objects.requireNonNull(s3, "s3");
    if (sessionTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("session-timeout: must be at least 1 s, got " + sessionTimeout.toMillis() + " ms");
    }
    if (jobPartitions < 1) {
      throw new IllegalArgumentException("jobPartitions: must be at least 1, got " + jobPartitions);
    }
    Objects.requireNonNull(replicationFactor, "replicationFactor");
    if (replicationFactor.isPresent() && replicationFactor.get() < 1) {
      throw new IllegalArgumentException("replicationFactor: must be at least 1, got " + replicationFactor.get());
    }
  }

  /** Settings whose topics take the broker's default replication factor, with S3 reached with virtual-hosted addressing (the SDK's default). */
  public PlatformSettings(Optional<String> bootstrapServers, Path bundles, int httpPort, String groupId,
      String instanceId, int concurrency, Topics topics, int jobPartitions, ArtifactRoots roots,
      Map<String, String> kafkaOverrides, ChainSettings chain) {
    this(bootstrapServers, bundles, httpPort, groupId, instanceId, concurrency, topics, jobPartitions,
        Optional.empty(), roots, kafkaOverrides, chain, S3Settings.defaults(), SESSION_TIMEOUT);
  }

  /**
   * @return the coordinator's settings against the broker actually in use: the lease lasts as long as the
   *     group's session, so a killed instance's job is taken over as soon as the group notices
   */
  CoordinatorSettings coordinator(String servers) {
    return new CoordinatorSettings(servers, groupId, instanceId, concurrency, topics, roots, kafkaOverrides,
        sessionTimeout, sessionTimeout);
  }
}
