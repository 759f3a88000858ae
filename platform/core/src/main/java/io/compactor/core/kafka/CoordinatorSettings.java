package io.compactor.core.kafka;

import io.compactor.core.job.ArtifactRoots;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How one coordinator instance connects and runs jobs.
 *
 * @param bootstrapServers Kafka {@code host:port} list
 * @param groupId the consumer group all instances sharing the work join
 * @param instanceId this instance's id (CloudEvents source, client ids, leases)
 * @param concurrency jobs run at once by this instance
 * @param topics the contract's topics
 * @param roots directories jobs may read and write
 * @param kafkaOverrides extra client properties (security settings, timeouts) applied last
 * @param leaseTtl how long a running job's lease lasts without renewal (renewed every third of it on the
 *     state topic); another instance redoes the job only after it lapses
 * @param sessionTimeout how soon the group notices a dead instance
 */
public record CoordinatorSettings(String bootstrapServers, String groupId, String instanceId, int concurrency,
    Topics topics, ArtifactRoots roots, Map<String, String> kafkaOverrides, Duration leaseTtl,
    Duration sessionTimeout) {
  public CoordinatorSettings {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Objects.requireNonNull(groupId, "groupId");
    Objects.requireNonNull(instanceId, "instanceId");
    Objects.requireNonNull(topics, "topics");
    Objects.requireNonNull(roots, "roots");
    kafkaOverrides = Map.copyOf(kafkaOverrides);
    Objects.requireNonNull(leaseTtl, "leaseTtl");
    Objects.requireNonNull(sessionTimeout, "sessionTimeout");
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency: must be at least 1, got " + concurrency);
    }
  }
}
