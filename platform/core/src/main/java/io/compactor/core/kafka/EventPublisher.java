package io.compactor.core.kafka;

import io.compactor.api.CompactorException;
import io.compactor.core.job.EventSink;
import io.compactor.core.job.JobEvent;
import io.compactor.core.job.JobMessages;
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

  @Override
  public void publish(JobEvent event) {
    ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, null, event.jobId(), JobMessages.write(event),
        CloudEventHeaders.of(event, source));
    var sent = producer.send(record, (meta, e) -> {
      if (e != null) {
        LOG.warn("job {}: event {} not delivered: {}", event.jobId(), event.type().id(), e.toString());
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
