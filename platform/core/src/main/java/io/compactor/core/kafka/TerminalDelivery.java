package io.compactor.core.kafka;

import io.compactor.core.job.EventSink;
import io.compactor.core.job.EventType;
import io.compactor.core.job.JobEvent;
import io.compactor.core.metrics.JobMetrics;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends a job's record so that it can be committed: publishes its terminal event, and when Kafka refuses
 * that event after bounded retries (too large for the topic, invalid, the events topic unwritable), tells
 * the job's followers with a small {@code failed} event and sends the record to the dead-letter topic
 * with the reason. Only when not even the dead letter is acknowledged (Kafka unreachable) does it throw,
 * and the record is redelivered: a broker outage loses no job, and no record can loop forever.
 */
final class TerminalDelivery {
  private static final Logger LOG = LoggerFactory.getLogger(TerminalDelivery.class);
  private final EventSink events;
  private final DeadLetters deadLetters;
  private final JobMetrics metrics;
  private final Duration backoff;

  /**
   * @param events where events go (acknowledges terminal events before returning)
   * @param deadLetters where a record whose end cannot be published goes
   * @param metrics counts dead letters
   * @param backoff wait before the second attempt; doubled for each further one
   */
  TerminalDelivery(EventSink events, DeadLetters deadLetters, JobMetrics metrics, Duration backoff) {
    this.events = events;
    this.deadLetters = deadLetters;
    this.metrics = metrics;
    this.backoff = backoff;
  }

  /**
   * @param terminal the job's terminal event
   * @param record the job's record on the jobs topic
   * @param attempts how often to try a retriable failure (a non-retriable one is tried once)
   * @return the event that ends the job: {@code terminal}, or the {@code failed} event that replaced it
   *     when the record was dead-lettered (the record's offset may be committed either way)
   * @throws io.compactor.api.CompactorException when neither the event nor the dead letter was written
   * @throws AttemptFencedException when a newer attempt of the job was opened (nothing was written)
   */
  JobEvent deliver(JobEvent terminal, ConsumerRecord<String, byte[]> record, int attempts) {
    RuntimeException last = null;
    int tried = 0;
    while (tried < attempts) {
      tried++;
      try {
        events.publish(terminal);
        return terminal;
      } catch (AttemptFencedException e) {
        throw e; // a newer attempt owns the job: neither this event nor a dead letter is ours to send
      } catch (RuntimeException e) {
        last = e;
        if (!retriable(e) || tried == attempts || !pause(backoff.multipliedBy(1L << (tried - 1)))) {
          break;
        }
        LOG.warn("job {}: {} event not published (attempt {} of {}), retrying: {}", terminal.jobId(),
            terminal.type().id(), tried, attempts, rootCause(e).toString());
      }
    }
    if (interrupted(last)) {
      throw last; // stopping: not the event's fault, the record is redelivered
    }
    String reason = "the " + terminal.type().id() + " event of job " + terminal.jobId() + " could not be published"
        + " after " + tried + " attempt" + (tried == 1 ? "" : "s") + ": " + rootCause(last);
    JobEvent failed = JobEvent.of(EventType.FAILED, terminal.jobId(), Map.of("stage", "internal", "reason", reason
        + "; the request went to the dead-letter topic"));
    try {
      events.publish(failed); // followers (submit --wait) learn the job ended; best effort
    } catch (AttemptFencedException e) {
      throw e;
    } catch (RuntimeException e) {
      LOG.warn("job {}: not even a short failed event could be published: {}", terminal.jobId(),
          rootCause(e).toString());
    }
    LOG.warn("job {}: dead-lettering {}-{}@{}: {}", terminal.jobId(), record.topic(), record.partition(),
        record.offset(), reason);
    deadLetters.send(record, reason);
    metrics.deadLettered();
    return failed;
  }

  /** Kafka's own retriable errors and our wait for the acknowledgement timing out are worth another try. */
  static boolean retriable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof RetriableException || t instanceof java.util.concurrent.TimeoutException) {
        return true;
      }
    }
    return false;
  }

  private static boolean interrupted(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof InterruptedException) {
        return true;
      }
    }
    return Thread.currentThread().isInterrupted();
  }

  private static Throwable rootCause(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t;
  }

  private static boolean pause(Duration d) {
    try {
      Thread.sleep(d.toMillis());
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
