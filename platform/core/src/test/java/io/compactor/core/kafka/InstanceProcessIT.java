package io.compactor.core.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.core.job.ArtifactRoots;
import io.compactor.core.job.AttemptOutputs;
import io.compactor.core.job.EventType;
import io.compactor.core.job.JobBoard;
import io.compactor.core.job.JobMessages;
import io.compactor.core.job.JobRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A coordinator in its own JVM ({@link InstanceMain}) frozen with SIGSTOP past its lease, or killed with SIGKILL,
 * while an in-JVM coordinator of the same group takes its job over. Slow (a JVM per instance, session timeouts):
 * runs with {@code mvn verify -Pslow}.
 */
@Tag("integration")
@Tag("slow")
class InstanceProcessIT {
  private static final Logger LOG = LoggerFactory.getLogger(InstanceProcessIT.class);
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final Duration SESSION = Duration.ofSeconds(6);
  private static TestBroker broker;
  private static EmbeddedKafka kafka;
  private static Admin admin;
  private static KafkaProducer<String, byte[]> producer;
  @TempDir Path dir;
  private final List<AutoCloseable> opened = new ArrayList<>();
  private final List<Process> processes = new ArrayList<>();
  private Topics topics;
  private String group;

  @BeforeAll
  static void broker() {
    broker = TestBroker.start();
    kafka = broker.kafka();
    admin = broker.admin();
    producer = broker.producer();
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  @AfterEach
  void stop() throws Exception {
    for (Process p : processes) {
      signal(p, "CONT");
      p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
    for (int i = opened.size() - 1; i >= 0; i--) {
      opened.get(i).close();
    }
  }

  @Test
  void aZombiePausedPastItsLeasePublishesNoSecondCompletedAndLeavesTheWinnersOutputs() throws Exception {
    topics();
    // the zombie renews its lease only every 20 s: when it resumes, its job finishes before its next renewal,
    // so what stops it is the fenced write of its completed event
    Process zombie = instance("zombie", 30, 100, Duration.ofSeconds(60));
    send("z1");
    try (EventLog log = new EventLog(kafka.bootstrapServers(), topics.events(), true)) {
      log.until(l -> log.of("z1", EventType.STEP_PROGRESS).size() >= 3, WAIT);
      signal(zombie, "STOP");
      LOG.info("zombie stopped with SIGSTOP mid-job");
      LayerLoopExecutor survivor = new LayerLoopExecutor(5, 50);
      survivor.mark = " by survivor";
      coordinator("survivor", survivor, Duration.ofSeconds(3));
      log.until(l -> !log.of("z1", EventType.COMPLETED).isEmpty(), WAIT);
      signal(zombie, "CONT");
      LOG.info("zombie resumed with SIGCONT after the survivor completed the job");
      Path zombieLog = dir.resolve("zombie.log");
      awaitLog(zombieLog, "was fenced by a newer attempt");
      long settle = System.nanoTime() + Duration.ofSeconds(3).toNanos();
      log.until(l -> System.nanoTime() > settle, WAIT);
      assertEquals(1, log.of("z1", EventType.COMPLETED).size(), log.describe());
      assertEquals(0, log.of("z1", EventType.FAILED).size() + log.of("z1", EventType.CANCELLED).size(),
          log.describe());
      assertEquals("/compactor/survivor", CloudEventHeaders.header(log.of("z1", EventType.COMPLETED).get(0).record()
          .headers(), "ce_source").orElseThrow());
      assertEquals(1, survivor.runs("z1"));
      Path out = dir.resolve("out-z1");
      for (String f : List.of("model.deploy.onnx", "model.fakequant.onnx", "report.json")) {
        assertEquals("z1 by survivor", Files.readString(out.resolve(f)), f + " is the winner's");
      }
      assertFalse(Files.exists(out.resolve(AttemptOutputs.ATTEMPTS)), "the zombie's staged outputs are gone: "
          + listing(out));
    }
  }

  @Test
  void aKilledInstancesJobIsTakenOverWithinTheSessionTimeoutAndCompletesOnce() throws Exception {
    topics();
    // as the platform runs: the lease lasts as long as the group session
    Process victim = instance("victim", 200, 100, SESSION);
    send("k1");
    try (EventLog log = new EventLog(kafka.bootstrapServers(), topics.events(), true)) {
      log.until(l -> log.of("k1", EventType.STEP_PROGRESS).size() >= 3, WAIT);
      LayerLoopExecutor survivor = new LayerLoopExecutor(5, 50);
      Coordinator c = coordinator("survivor", survivor, SESSION);
      awaitMembers(2);
      long killed = System.nanoTime();
      victim.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      log.until(l -> log.of("k1", EventType.ACCEPTED).size() >= 2, WAIT);
      long takenOver = System.nanoTime();
      log.until(EventLog.ended("k1"), WAIT);
      LOG.info("takeover after SIGKILL: accepted on the survivor {} ms after the kill (session timeout {} ms)",
          TimeUnit.NANOSECONDS.toMillis(takenOver - killed), SESSION.toMillis());
      assertEquals(1, log.of("k1", EventType.COMPLETED).size(), log.describe());
      assertEquals(1, survivor.runs("k1"));
      assertTrue(c.assignedPartitions().size() == 1, "the survivor owns the partition");
    }
  }

  private void topics() {
    String jobs = "p-" + UUID.randomUUID().toString().substring(0, 8);
    topics = new Topics(jobs, "events-" + jobs, "dlt-" + jobs);
    topics.ensure(admin, 1, (short) 1);
    group = "group-" + jobs;
  }

  private Process instance(String id, int layers, long millisPerLayer, Duration lease) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        InstanceMain.class.getName(), kafka.bootstrapServers(), topics.jobs(), group, id, dir.toString(),
        String.valueOf(layers), String.valueOf(millisPerLayer), String.valueOf(lease.toMillis()),
        String.valueOf(SESSION.toMillis())).redirectErrorStream(true).redirectOutput(dir.resolve(id + ".log").toFile())
        .start();
    processes.add(p);
    return p;
  }

  private Coordinator coordinator(String id, LayerLoopExecutor executor, Duration lease) {
    CoordinatorSettings s = new CoordinatorSettings(kafka.bootstrapServers(), group, id, 1, topics,
        new ArtifactRoots(List.of(dir)), Map.of(), lease, SESSION);
    Coordinator c = new Coordinator(s, executor, new SimpleMeterRegistry(), new JobBoard(100));
    opened.add(c);
    c.start();
    return c;
  }

  private void send(String id) throws Exception {
    JobRequest r = new JobRequest(id, dir.resolve("m.onnx").toString(), dir.resolve("c.cfg").toString(),
        Optional.empty(), Optional.empty(), dir.resolve("out-" + id).toString());
    producer.send(new ProducerRecord<>(topics.jobs(), id, JobMessages.write(r))).get(30, TimeUnit.SECONDS);
  }

  private static void signal(Process p, String signal) throws Exception {
    if (p.isAlive()) {
      new ProcessBuilder("kill", "-" + signal, String.valueOf(p.pid())).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
    }
  }

  private void awaitMembers(int members) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (admin.describeConsumerGroups(List.of(group)).all().get(10, TimeUnit.SECONDS).get(group).members().size()
        < members) {
      assertTrue(System.nanoTime() < deadline, members + " members in " + group);
      Thread.sleep(100);
    }
  }

  private static void awaitLog(Path log, String text) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!Files.exists(log) || !Files.readString(log).contains(text)) {
      assertTrue(System.nanoTime() < deadline, "'" + text + "' not in " + log);
      Thread.sleep(200);
    }
  }

  private static String listing(Path dir) throws IOException {
    try (var files = Files.walk(dir)) {
      return files.map(Path::toString).toList().toString();
    }
  }
}
