package io.compactor.core.host;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How the host runs: the directory of bundle jars it watches, how often FileInstall scans it, and how long a
 * stopping bundle waits for the steps still running on it.
 *
 * @param watchedDirectory the directory FileInstall watches for bundle jars ({@code bundles/} or
 *     {@code --bundles DIR})
 * @param poll the scan interval; a new jar is live after about two scans, a deleted one gone after one
 * @param drainTimeout how long a bundle that is being stopped (jar deleted or replaced) waits for running
 *     steps that leased it before it stops anyway
 */
public record HostSettings(Path watchedDirectory, Duration poll, Duration drainTimeout) {
  /** Default scan interval: 200 ms, about 0.4 s from copy to capability. */
  public static final Duration DEFAULT_POLL = Duration.ofMillis(200);
  /**
   * Default drain timeout: 60 s. While a bundle drains, FileInstall installs nothing else, so the wait is
   * bounded; a step still running afterwards finishes on the stopped bundle's classes.
   */
  public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(60);

  public HostSettings {
    Objects.requireNonNull(watchedDirectory, "watchedDirectory");
    Objects.requireNonNull(poll, "poll");
    Objects.requireNonNull(drainTimeout, "drainTimeout");
    if (poll.toMillis() < 10 || poll.toMillis() > 60_000) {
      throw new IllegalArgumentException("host: poll must be between 10 ms and 60 s, got " + poll.toMillis()
          + " ms; 100 to 500 ms is a sensible range");
    }
    if (drainTimeout.isNegative()) {
      throw new IllegalArgumentException("host: drainTimeout must not be negative, got " + drainTimeout);
    }
    watchedDirectory = watchedDirectory.toAbsolutePath().normalize();
  }

  /** @return settings for {@code watchedDirectory} with the default poll and drain timeout */
  public static HostSettings of(Path watchedDirectory) {
    return new HostSettings(watchedDirectory, DEFAULT_POLL, DEFAULT_DRAIN_TIMEOUT);
  }

  /** @return these settings with another scan interval */
  public HostSettings withPoll(Duration newPoll) {
    return new HostSettings(watchedDirectory, newPoll, drainTimeout);
  }

  /** @return these settings with another drain timeout */
  public HostSettings withDrainTimeout(Duration newDrainTimeout) {
    return new HostSettings(watchedDirectory, poll, newDrainTimeout);
  }
}
