package io.compactor.core.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.core.job.EventType;
import io.compactor.core.job.JobEvent;
import io.compactor.core.job.JobRecord;
import io.compactor.core.job.JobRequest;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A job's silence, what leases are judged by, counts only while the view knows it is complete: with the
 * broker gone the view cannot know whether the job's instance renewed its lease, so the silence stands still
 * instead of letting the lease lapse, and it counts again once the broker is back.
 */
@Tag("integration")
class JobStateViewIT {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @Test
  void silenceStandsStillWhileTheViewCannotKnowItIsComplete() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      Topics topics = Topics.withPrefix("view.");
      Properties common = new Properties();
      common.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
          (Object) kafka.bootstrapServers()))) {
        topics.ensure(admin, 1, Optional.empty());
      }
      JobRequest request = new JobRequest("j1", "/data/m.onnx", "/data/c.cfg", Optional.empty(), Optional.empty(),
          "/data/out");
      JobRecord running = new JobRecord(request, "jobs-0@0", "attempt-1", "a",
          JobEvent.of(EventType.ACCEPTED, "j1", Map.of()));
      write(kafka, topics, running);
      try (JobStateView view = new JobStateView(common, topics.state(), "observer")) {
        view.start(WAIT);
        assertEquals("attempt-1", view.find("j1").orElseThrow().attempt());
        assertTrue(view.leasedByAnother("j1", "observer", Duration.ofMinutes(1)), "a's run holds its lease");
        assertFalse(view.leasedByAnother("j1", "a", Duration.ofMinutes(1)),
            "a lease of one's own instance whose job is not running there ended with its worker");
        await(() -> silence(view).compareTo(Duration.ofSeconds(1)) >= 0, "the silence grows while the view is complete");
        assertFalse(view.leasedByAnother("j1", "observer", Duration.ofSeconds(1)), "a lease lapses after its ttl");

        kafka.stop();
        Thread.sleep(JobStateView.CURRENCY_PROBE.toMillis() * 2); // a probe asked before the stop may still land
        Duration before = silence(view);
        Thread.sleep(3_000);
        assertEquals(before, silence(view), "no silence is counted while the broker is away");

        kafka.restart();
        await(() -> silence(view).compareTo(before) > 0, "the silence counts again once the view is complete");
        write(kafka, topics, running.with(JobEvent.of(EventType.STEP_COMPLETED, "j1", Map.of("step", "prune"))));
        await(() -> view.find("j1").orElseThrow().lastEvent().type() == EventType.STEP_COMPLETED, "the renewal is read");
        assertTrue(silence(view).compareTo(before) < 0, "a renewal starts the silence again: " + silence(view));
        write(kafka, topics, running.released());
        await(() -> view.find("j1").orElseThrow().instance().isEmpty(), "the release is read");
        assertFalse(view.leasedByAnother("j1", "observer", Duration.ofMinutes(1)), "a released job has no lease");
      }
    }
  }

  private static Duration silence(JobStateView view) {
    return view.silence("j1").orElseThrow();
  }

  private static void write(EmbeddedKafka kafka, Topics topics, JobRecord r) throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(),
        new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(topics.state(), r.jobId(), r.write())).get(30, TimeUnit.SECONDS);
    }
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + ": not within " + WAIT.toSeconds() + " s");
      }
      Thread.sleep(50);
    }
  }
}
