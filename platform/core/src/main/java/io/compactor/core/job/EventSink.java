package io.compactor.core.job;

/** Receives a job's events in order: the Kafka publisher, the CLI's progress bar, a test's list. */
@FunctionalInterface
public interface EventSink {
  /** Publishes one event; must not throw for a delivery problem it can retry or log. */
  void publish(JobEvent event);
}
