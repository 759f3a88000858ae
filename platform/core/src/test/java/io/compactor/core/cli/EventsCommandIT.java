package io.compactor.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.compactor.core.job.EventType;
import io.compactor.core.job.JobEvent;
import io.compactor.core.kafka.EmbeddedKafka;
import io.compactor.core.kafka.EventPublisher;
import io.compactor.core.kafka.Topics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code compactor events} against a real broker, on events written by the platform's own publisher. */
@Tag("integration")
class EventsCommandIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static EmbeddedKafka kafka;
  private static KafkaProducer<String, byte[]> producer;
  private static EventPublisher publisher;

  @BeforeAll
  static void eventsOfTwoJobs() {
    kafka = EmbeddedKafka.start();
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    try (Admin admin = Admin.create(p)) {
      Topics.DEFAULT.ensure(admin, 2, (short) 1);
    }
    producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    publisher = new EventPublisher(producer, Topics.DEFAULT.events(), "/compactor/it-1");
    publisher.publish(JobEvent.of(EventType.ACCEPTED, "job-a", Map.of("instance", "it-1")));
    publisher.publish(JobEvent.of(EventType.ACCEPTED, "job-b", Map.of("instance", "it-1")));
    publisher.publish(JobEvent.of(EventType.FAILED, "job-b", Map.of("stage", "plan", "reason", "no provider")));
    publisher.publish(JobEvent.of(EventType.COMPLETED, "job-a", Map.of("summary", Map.of("compressionRatio", 2.0))));
  }

  @AfterAll
  static void stop() {
    if (producer != null) {
      producer.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  private static List<JsonNode> lines(String out) throws Exception {
    List<JsonNode> lines = new ArrayList<>();
    for (String l : out.lines().toList()) {
      lines.add(JSON.readTree(l));
    }
    return lines;
  }

  @Test
  void allEventsFromTheBeginningAsCloudEventsThenItStops() throws Exception {
    Cli.Run r = Cli.run("events", "--bootstrap-servers", kafka.bootstrapServers());

    assertEquals(0, r.code(), r.err());
    List<JsonNode> events = lines(r.out());
    assertTrue(events.size() >= 4, r.out());
    JsonNode first = events.stream().filter(e -> e.path("subject").asText().equals("job-a")).findFirst().orElseThrow();
    assertEquals("1.0", first.path("specversion").asText());
    assertEquals("io.compactor.job.accepted", first.path("type").asText());
    assertEquals("/compactor/it-1", first.path("source").asText());
    assertEquals(36, first.path("id").asText().length(), first.toString());
    assertTrue(first.path("time").asText().matches("\\d{4}-\\d\\d-\\d\\dT.*Z"), first.toString());
    assertEquals("application/json", first.path("datacontenttype").asText());
    assertEquals("job-a", first.path("data").path("jobId").asText());
    assertEquals("it-1", first.path("data").path("instance").asText());
    assertEquals(List.of("specversion", "id", "source", "type", "time", "subject"),
        iterable(first.fieldNames()).subList(0, 6), "CloudEvents attributes first, data last");
  }

  @Test
  void oneJobsEventsInOrder() throws Exception {
    Cli.Run r = Cli.run("events", "--bootstrap-servers", kafka.bootstrapServers(), "--job", "job-b");

    assertEquals(0, r.code(), r.err());
    assertEquals(List.of("io.compactor.job.accepted", "io.compactor.job.failed"),
        lines(r.out()).stream().map(e -> e.path("type").asText()).toList());
    assertEquals("no provider", lines(r.out()).get(1).path("data").path("reason").asText());
  }

  @Test
  void followPrintsNewEventsUntilInterrupted() throws Exception {
    StringWriter out = new StringWriter();
    CommandLine cli = CompactorCli.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(new StringWriter()));
    AtomicInteger code = new AtomicInteger(-1);
    Thread t = new Thread(() -> code.set(cli.execute("events", "--bootstrap-servers", kafka.bootstrapServers(),
        "--job", "job-c", "--follow")));
    t.start();
    publisher.publish(JobEvent.of(EventType.ACCEPTED, "job-c", Map.of("instance", "it-1")));
    publisher.publish(JobEvent.of(EventType.CANCELLED, "job-c", Map.of()));
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (out.toString().lines().count() < 2 && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertTrue(t.isAlive(), "--follow keeps waiting after the end");
    t.interrupt();
    t.join(Duration.ofSeconds(30).toMillis());

    assertEquals(0, code.get());
    assertEquals(List.of("io.compactor.job.accepted", "io.compactor.job.cancelled"),
        lines(out.toString()).stream().map(e -> e.path("type").asText()).toList());
  }

  private static List<String> iterable(java.util.Iterator<String> it) {
    List<String> l = new ArrayList<>();
    it.forEachRemaining(l::add);
    return l;
  }
}
