package io.compactor.core.health;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Liveness and readiness in the Kubernetes sense. Live: the coordinator's poll loop has gone round within
 * {@code maxPollAge} (it keeps going round while the broker is away, so an outage does not restart the pod).
 * Ready: a broker answers, the OSGi host is active and the coordinator's consumer is in its group. The
 * Kafka checks run on their own thread every {@code refresh}, so a probe is answered at once even when the
 * broker is gone; a report names the checks that failed.
 */
public final class Health implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Health.class);
  private final KafkaChecks kafka;
  private final BooleanSupplier hostActive;
  private final Supplier<Optional<Duration>> sinceLastPoll;
  private final Duration maxPollAge;
  private final Supplier<Map<String, Object>> info;
  private final ScheduledExecutorService refresher;
  private volatile List<Check> kafkaChecks = List.of(Check.down("broker", "not checked yet"),
      Check.down("group", "not checked yet"));

  /**
   * @param kafka the broker and group checks; closed with this
   * @param hostActive whether the OSGi framework is active
   * @param sinceLastPoll how long ago the poll loop went round; empty once it has ended
   * @param maxPollAge the longest a poll loop may take before the instance counts as wedged
   * @param info facts shown with every report (instance, running jobs, capabilities)
   * @param refresh how often the Kafka checks run
   */
  public Health(KafkaChecks kafka, BooleanSupplier hostActive, Supplier<Optional<Duration>> sinceLastPoll,
      Duration maxPollAge, Supplier<Map<String, Object>> info, Duration refresh) {
    this.kafka = kafka;
    this.hostActive = hostActive;
    this.sinceLastPoll = sinceLastPoll;
    this.maxPollAge = maxPollAge;
    this.info = info;
    this.refresher = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "compactor-health");
      t.setDaemon(true);
      return t;
    });
    refresher.scheduleWithFixedDelay(this::refresh, 0, refresh.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void refresh() {
    try {
      Check broker = kafka.broker();
      Check group = broker.up() ? kafka.group() : Check.down("group", "not checked: the broker does not answer");
      List<Check> before = kafkaChecks;
      kafkaChecks = List.of(broker, group);
      if (before.stream().allMatch(Check::up) != kafkaChecks.stream().allMatch(Check::up)) {
        LOG.info("readiness: broker {}, group {}", broker.detail(), group.detail());
      }
    } catch (RuntimeException e) {
      kafkaChecks = List.of(Check.down("broker", "check failed: " + e), Check.down("group", "not checked"));
    }
  }

  /** @return broker, host and group checks, the Kafka ones as last refreshed */
  public HealthReport ready() {
    List<Check> k = kafkaChecks;
    Check host = hostActive.getAsBoolean() ? Check.up("host", "OSGi framework active")
        : Check.down("host", "OSGi framework not active");
    return new HealthReport(List.of(k.get(0), host, k.get(1)), info.get());
  }

  /** @return the poll loop check */
  public HealthReport live() {
    Optional<Duration> age = sinceLastPoll.get();
    Check poll;
    if (age.isEmpty()) {
      poll = Check.down("pollLoop", "the coordinator's poll loop has ended");
    } else if (age.get().compareTo(maxPollAge) > 0) {
      poll = Check.down("pollLoop", "the coordinator's poll loop has not gone round for " + age.get().toSeconds()
          + " s (limit " + maxPollAge.toSeconds() + " s)");
    } else {
      poll = Check.up("pollLoop", "went round " + age.get().toMillis() + " ms ago");
    }
    return new HealthReport(List.of(poll), info.get());
  }

  @Override
  public void close() {
    refresher.shutdownNow();
    kafka.close();
  }
}
