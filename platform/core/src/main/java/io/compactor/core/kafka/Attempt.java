package io.compactor.core.kafka;

import io.compactor.api.CompactorException;
import io.compactor.core.job.JobEvent;
import io.compactor.core.job.JobRecord;
import java.time.Duration;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of one job, fenced by Kafka: a transactional producer whose {@code transactional.id} is the job's
 * ({@code <state topic>/<job id>}), so opening a newer attempt of the job, on any instance, bumps the
 * producer epoch and every later write of an older attempt (a zombie: paused past its lease, then resumed)
 * fails with {@link AttemptFencedException}. The attempt's state records (start, lease renewals, end) and its
 * {@code accepted} and terminal events are written in transactions, so a fenced attempt can publish neither
 * a second terminal event nor a state record. Not thread-safe beyond its synchronized methods.
 */
final class Attempt implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Attempt.class);
  private final KafkaProducer<String, byte[]> producer;
  private final String id = UUID.randomUUID().toString();
  private final Topics topics;
  private final String source;
  private JobRecord record;

  private Attempt(KafkaProducer<String, byte[]> producer, Topics topics, String source) {
    this.producer = producer;
    this.topics = topics;
    this.source = source;
  }

  /**
   * Opens a new attempt of {@code jobId}, fencing every earlier one.
   *
   * @param s the coordinator's settings
   * @param jobId the job
   * @return the attempt, its producer initialized
   */
  static Attempt open(CoordinatorSettings s, String jobId) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers());
    p.put(ProducerConfig.CLIENT_ID_CONFIG, s.instanceId() + "-attempt-" + jobId);
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId(s.topics(), jobId));
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.putAll(s.kafkaOverrides());
    KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    try {
      producer.initTransactions();
    } catch (RuntimeException e) {
      producer.close(Duration.ZERO);
      throw new CompactorException("job " + jobId + ": cannot open a fenced attempt (" + e + ")", e);
    }
    return new Attempt(producer, s.topics(), "/compactor/" + s.instanceId());
  }

  /** @return the transactional id all attempts of {@code jobId} share: one job, one epoch */
  static String transactionalId(Topics topics, String jobId) {
    return topics.state() + "/" + jobId;
  }

  /** @return this attempt's id; its outputs are staged apart under it */
  String id() {
    return id;
  }

  /**
   * Writes the job's state record and, when {@code publish}, its latest event, in one transaction.
   *
   * @param next the job's record, its {@link JobRecord#lastEvent()} the event
   * @param publish whether the event goes to the events topic too (the {@code accepted} and terminal events)
   * @throws AttemptFencedException when a newer attempt of the job was opened
   */
  synchronized void write(JobRecord next, boolean publish) {
    try {
      producer.beginTransaction();
      if (publish) {
        producer.send(EventPublisher.record(topics.events(), next.lastEvent(), source));
      }
      producer.send(new ProducerRecord<>(topics.state(), next.jobId(), next.write()));
      producer.commitTransaction();
      record = next;
    } catch (ProducerFencedException | InvalidProducerEpochException e) {
      throw new AttemptFencedException(next.jobId(), id, e);
    } catch (KafkaException e) {
      if (fenced(e)) {
        throw new AttemptFencedException(next.jobId(), id, e);
      }
      try {
        producer.abortTransaction();
      } catch (KafkaException abort) {
        if (fenced(abort)) {
          throw new AttemptFencedException(next.jobId(), id, abort);
        }
        e.addSuppressed(abort);
      }
      throw e;
    }
  }

  /** Renews the lease: the latest record again, so other instances see this attempt is alive. */
  synchronized void renew() {
    if (record != null) {
      write(record, false);
    }
  }

  /**
   * Writes {@code event} as the job's latest event, in the state record only (a {@code step.completed}:
   * other instances' {@code /jobs/{id}} see progress), or also published (terminal events).
   */
  synchronized void advance(JobEvent event, boolean publish) {
    write(record.with(event), publish);
  }

  /**
   * Records that this attempt won the job with {@code completed}, in the state record only: from here on its
   * outputs are the job's and no newer attempt runs the job again; the event is published once they are in
   * place ({@link #advance}).
   *
   * @throws AttemptFencedException when a newer attempt of the job was opened
   */
  synchronized void decide(JobEvent completed) {
    write(record.decided(completed), false);
  }

    private static boolean fenced(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ProducerFencedException || t instanceof InvalidProducerEpochException) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void close() {
    try {
      producer.close(Duration.ofSeconds(5));
    } catch (InterruptException e) { // the instance is stopping; the interrupt flag stays set
      LOG.debug("attempt producer closed by an interrupt: {}", e.toString());
    }
  }
}
