package io.compactor.core.kafka;

import io.compactor.api.CompactorException;
import io.compactor.core.job.EventSink;
import io.compactor.core.job.JobEvent;
import io.compactor.core.job.JobMessages;
import io.compactor.core.job.JobRequest;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** What {@code submit} and {@code demo} do as a client of a running platform: send a job, follow its events. */
public final class JobClient {
  private final String bootstrapServers;
  private final Map<String, String> overrides;
  private final Topics topics;

  /**
   * @param bootstrapServers Kafka
   * @param overrides extra client properties (security settings)
   * @param topics the platform's topics
   */
  public JobClient(String bootstrapServers, Map<String, String> overrides, Topics topics) {
    this.bootstrapServers = bootstrapServers;
    this.overrides = Map.copyOf(overrides);
    this.topics = topics;
  }

  /**
   * Publishes {@code request} and, with a {@code sink}, passes its events there until the terminal one.
   *
   * @param request the job
   * @param sink where the events go, or null to return right after the job is durably sent
   * @param timeout how long to follow
   * @return the terminal event; empty when not following, or when the job did not end in time
   */
  public Optional<JobEvent> submit(JobRequest request, EventSink sink, Duration timeout) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.putAll(overrides);
    // open the follower first: its start position is fixed before the job can produce events
    EventFollower follower = sink == null ? null : new EventFollower(bootstrapServers, overrides, topics.events(), request.jobId());
    try (follower; var producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(topics.jobs(), request.jobId(), JobMessages.write(request)))
          .get(30, TimeUnit.SECONDS);
      return follower == null ? Optional.empty() : follower.follow(sink, timeout);
    } catch (ExecutionException | TimeoutException e) {
      throw new CompactorException("kafka: could not send job " + request.jobId() + " to " + topics.jobs() + " at "
          + bootstrapServers + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CompactorException("interrupted while sending job " + request.jobId(), e);
    }
  }
}
