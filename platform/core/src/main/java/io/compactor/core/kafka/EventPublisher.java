package io.compactor.core.kafka;

import io.compactor.api.CompactorException;
import io.compactor.core.job.EventSink;
import io.compactor.core.job.JobEvent;
import io.compactor.core.job.JobMessages;
import io.compactor.core.logging.JobLog;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes job events to the events topic as CloudEvents in binary mode, key = job id (so a job's
 * events stay in order). Terminal events are acknowledged before {@link #publish} returns, because the
 * job's offset is committed only after its terminal event is safely written.
 */
public final class EventPublisher implements EventSink {
  private static final Logger LOG = LoggerFactory.getLogger(EventPublisher.class);
  private final Producer<String, byte[]> producer;
  private final String topic;
  private final String source;

  /**
   * @param producer a producer shared with the dead-letter publisher; not closed here
   * @param topic the events topic
   * @param source the CloudEvents source of this instance
   */
  public EventPublisher(Producer<String, byte[]> producer, String topic, String source) {
    this.producer = producer;
    this.topic = topic;
    this.source = source;
  }

  /** @return the record of {@code event} on {@code topic}: key = job id, CloudEvents headers, JSON body */
  static ProducerRecord<String, byte[]> record(String topic, JobEvent event, String source) {
    return new ProducerRecord<>(topic, null, event.jobId(), JobMessages.write(event), CloudEventHeaders.of(event, source));
  }

  @Override
  public void publish(JobEvent event) {
    var sent = producer.send(record(topic, event, source), (meta, e) -> {
      if (e != null) {
        // the producer's I/O thread has no MDC of its own
        try (var job = JobLog.scope(event.jobId())) {
          LOG.warn("job {}: event {} not delivered: {}", event.jobId(), event.type().id(), e.toString());
        }
      }
    });
    if (event.type().terminal()) {
      try {
        sent.get(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CompactorException("job " + event.jobId() + ": interrupted while publishing " + event.type().id(), e);
      } catch (ExecutionException | TimeoutException e) {
        throw new CompactorException("job " + event.jobId() + ": the " + event.type().id()
            + " event was not acknowledged by Kafka (" + e + "); the job will be redelivered", e);
      }
    }
  }
}
