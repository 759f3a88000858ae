package io.compactor.core.platform;

import io.compactor.core.artifact.ArtifactStores;
import io.compactor.core.artifact.StagedExecutor;
import io.compactor.core.chain.ChainExecutor;
import io.compactor.core.health.Health;
import io.compactor.core.health.KafkaChecks;
import io.compactor.core.host.HostSettings;
import io.compactor.core.host.OsgiHost;
import io.compactor.core.http.HttpEndpoints;
import io.compactor.core.job.JobBoard;
import io.compactor.core.kafka.Coordinator;
import io.compactor.core.kafka.EmbeddedKafka;
import io.compactor.core.metrics.PlatformMetrics;
import io.compactor.core.metrics.StepMetrics;
import io.compactor.core.tune.TuneJob;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Compactor instance: (embedded) Kafka, the OSGi host with its bundles, the chain (compression
 * jobs) and the tuner (tune jobs, whose candidates run on the same chain), the coordinator consuming jobs, and
 * the HTTP endpoints. Started by {@code run} and {@code demo}; closing it
 * stops everything in reverse order.
 */
public final class Platform implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Platform.class);
  /** Longer than the poll loop's longest legitimate wait (a commit or a terminal event, 60 s each). */
  private static final Duration MAX_POLL_AGE = Duration.ofMinutes(3);
  private static final Duration HEALTH_REFRESH = Duration.ofSeconds(2);
  private final Deque<AutoCloseable> parts = new ArrayDeque<>();
  private String bootstrapServers;
  private OsgiHost host;
  private Coordinator coordinator;
  private HttpEndpoints http;

  private Platform() {}

  /**
   * @param settings how to run
   * @return the started platform, consuming jobs
   */
  public static Platform start(PlatformSettings settings) {
    Platform p = new Platform();
    try {
      p.startParts(settings);
      return p;
    } catch (RuntimeException e) {
      p.close();
      throw e;
    }
  }

  private void startParts(PlatformSettings s) {
    if (s.bootstrapServers().isPresent()) {
      bootstrapServers = s.bootstrapServers().get();
    } else {
      EmbeddedKafka kafka = EmbeddedKafka.start();
      parts.push(kafka);
      bootstrapServers = kafka.bootstrapServers();
    }
    Properties admin = new Properties();
    admin.putAll(s.kafkaOverrides());
    admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    try (Admin a = Admin.create(admin)) {
      s.topics().ensure(a, s.jobPartitions(), s.replicationFactor());
    }
    host = OsgiHost.start(HostSettings.of(s.bundles()));
    parts.push(host);
    host.awaitSettled(Duration.ofSeconds(30));
    PlatformMetrics metrics = new PlatformMetrics(host.registry());
    parts.push(metrics);
    JobBoard board = new JobBoard(1000);
    ChainExecutor chain = new ChainExecutor(host.registry(), s.chain(), new StepMetrics(metrics.registry()));
    TuneJob tune = new TuneJob(host.registry(), chain, s.chain());
    ArtifactStores stores = ArtifactStores.of(s.s3()); // local paths and s3:// URIs
    parts.push(stores);
    StagedExecutor staged = new StagedExecutor(new JobsByKind(chain, tune), s.chain().workRoot(), stores);
    coordinator = new Coordinator(s.coordinator(bootstrapServers), staged, stores, metrics.registry(), board);
    parts.push(coordinator);
    coordinator.start();
    Health health = new Health(new KafkaChecks(bootstrapServers, s.kafkaOverrides(), s.groupId(), s.instanceId(),
        HEALTH_REFRESH), host::active, coordinator::sinceLastPoll, MAX_POLL_AGE, () -> info(s), HEALTH_REFRESH);
    parts.push(health);
    http = HttpEndpoints.start(s.httpPort(), metrics::scrape, health, () -> host.listing(), board);
    parts.push(http);
    LOG.info("platform {} up: kafka {}, bundles {}, http :{}", s.instanceId(), bootstrapServers, s.bundles(),
        http.port());
  }

  private Map<String, Object> info(PlatformSettings s) {
    Map<String, Object> h = new LinkedHashMap<>();
    h.put("instance", s.instanceId());
    h.put("groupId", s.groupId());
    h.put("bootstrapServers", bootstrapServers);
    h.put("runningJobs", coordinator.runningJobs());
    h.put("capabilities", host.registry().providers().stream().filter(p -> p.chosen()).map(p -> p.capability())
        .distinct().toList());
    return h;
  }

  /** @return the Kafka the platform uses (the embedded broker's address when it started one) */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** @return the port the HTTP endpoints listen on */
  public int httpPort() {
    return http.port();
  }

  /** @return the OSGi host */
  public OsgiHost host() {
    return host;
  }

  /** @return the coordinator */
  public Coordinator coordinator() {
    return coordinator;
  }

  /** Stops the endpoints, the coordinator (running jobs end uncommitted and are redone elsewhere), the host and an embedded broker. */
  @Override
  public void close() {
    while (!parts.isEmpty()) {
      AutoCloseable part = parts.pop();
      try {
        part.close();
      } catch (Exception e) {
        LOG.warn("stopping {}: {}", part.getClass().getSimpleName(), e.toString());
      }
    }
  }
}
