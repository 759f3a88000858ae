package io.compactor.core.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.core.artifact.ArtifactStores;
import io.compactor.core.artifact.S3Server;
import io.compactor.core.artifact.S3Settings;
import io.compactor.core.artifact.StagedExecutor;
import io.compactor.core.job.ArtifactRoots;
import io.compactor.core.job.Cancellation;
import io.compactor.core.job.CheckpointLocation;
import io.compactor.core.job.EventSink;
import io.compactor.core.job.EventType;
import io.compactor.core.job.JobBoard;
import io.compactor.core.job.JobEvent;
import io.compactor.core.job.JobExecutor;
import io.compactor.core.job.JobMessages;
import io.compactor.core.job.JobRequest;
import io.compactor.core.job.OutputStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fenced attempts of a job whose outputs go to a real S3 server (S3Proxy) over a real in-JVM broker. A zombie
 * (its job held at a gate while its lease lapses on another instance, as a paused process's would) is fenced
 * by the instance that takes the job over; that one resumes from the step the zombie saved in the bucket,
 * completes and promotes its outputs; the zombie, let go, publishes its outputs too, but only into its own
 * staging prefix, which it deletes once its completion is fenced: the final objects stay the winner's and no
 * staged or saved key is left. A winner frozen while moving its outputs into place (after its win was recorded,
 * before its completed event) is finished by the instance that takes the job over: the winner's outputs, one
 * completed event, the job not run again.
 */
@Tag("integration")
class ObjectStorageAttemptsIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String OUT = "s3://jobs/team/out-";
  @TempDir static Path dir;
  private static TestBroker broker;
  private static EmbeddedKafka kafka;
  private static Admin admin;
  private static KafkaProducer<String, byte[]> producer;
  private static S3Server s3;
  private static ArtifactStores stores;
  private final List<Coordinator> started = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    s3 = S3Server.start(dir.resolve("s3"));
    s3.configureSdk();
    s3.bucket("jobs");
    stores = ArtifactStores.of(new S3Settings(true));
    broker = TestBroker.start();
    kafka = broker.kafka();
    admin = broker.admin();
    producer = broker.producer();
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
    stores.close();
    s3.close();
  }

  @AfterEach
  void stopCoordinators() {
    started.forEach(Coordinator::close);
  }

  @Test
  void aZombieWritingItsS3OutputsAfterItWasFencedChangesNoFinalObject() throws Exception {
    Topics topics = new Topics("jobs-s3", "events-jobs-s3", "dlt-jobs-s3");
    topics.ensure(admin, 1, (short) 1);
    SavingExecutor zombie = new SavingExecutor("zombie", new CountDownLatch(1));
    SavingExecutor survivor = new SavingExecutor("survivor", new CountDownLatch(0));
    // the zombie renews its lease every 20 s: the survivor (3 s lease) finds it lapsed long before
    Coordinator z = coordinator(topics, "zombie", zombie, Duration.ofSeconds(60));
    JobRequest job = new JobRequest("z1", dir.resolve("m.onnx").toString(), dir.resolve("c.cfg").toString(),
        Optional.empty(), Optional.empty(), OUT + "z1");
    producer.send(new ProducerRecord<>(topics.jobs(), "z1", JobMessages.write(job))).get(10, TimeUnit.SECONDS);
    try (EventLog log = new EventLog(kafka.bootstrapServers(), topics.events(), true)) {
      assertTrue(zombie.atGate.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the zombie's job runs");
      assertEquals(List.of("team/out-z1/.checkpoints/step-1.json"), keys("team/out-z1/"), "its step is saved");

      // another instance (another group on the same topics, so the zombie keeps its partition) takes over
      coordinator(topics, "survivor", survivor, Duration.ofSeconds(3));
      log.until(l -> !log.of("z1", EventType.COMPLETED).isEmpty(), WAIT);
      assertEquals(List.of(true), survivor.resumed, "the survivor resumed from the zombie's saved step");
      assertEquals(List.of("team/out-z1/model.deploy.onnx", "team/out-z1/model.fakequant.onnx",
          "team/out-z1/report.json"), keys("team/out-z1/"), "promoted: no .attempts/ or .checkpoints/ keys");
      assertEquals("z1 by survivor", text("team/out-z1/model.deploy.onnx"));
      assertEquals(Map.of("deployModel", OUT + "z1/model.deploy.onnx", "fakequantModel",
          OUT + "z1/model.fakequant.onnx", "report", OUT + "z1/report.json"),
          JobMessages.json().convertValue(log.of("z1", EventType.COMPLETED).get(0).body().path("outputs"), Map.class),
          "the completed event names the final objects");

      zombie.gate.countDown(); // the paused instance resumes: it finishes and publishes its outputs
      await(() -> zombie.finished && z.runningJobs() == 0, "the zombie's attempt ends");

      assertEquals(1, log.of("z1", EventType.COMPLETED).size(), log.describe());
      assertEquals(List.of("team/out-z1/model.deploy.onnx", "team/out-z1/model.fakequant.onnx",
          "team/out-z1/report.json"), keys("team/out-z1/"), "the zombie's staged outputs are gone");
      for (String f : List.of("model.deploy.onnx", "model.fakequant.onnx")) {
        assertEquals("z1 by survivor", text("team/out-z1/" + f), f + " is the winner's");
      }
      assertEquals("{\"by\":\"survivor\"}", text("team/out-z1/report.json"));
    }
  }

  @Test
  void anInstanceFrozenWhileMovingItsOutputsIntoPlaceIsFinishedByTheOneTakingOver() throws Exception {
    Topics topics = new Topics("jobs-s3-decided", "events-jobs-s3-decided", "dlt-jobs-s3-decided");
    topics.ensure(admin, 1, (short) 1);
    SavingExecutor winner = new SavingExecutor("winner", new CountDownLatch(0));
    SavingExecutor finisher = new SavingExecutor("finisher", new CountDownLatch(0));
    HeldMoves held = new HeldMoves();
    Coordinator w = coordinator(topics, "winner", winner, Duration.ofSeconds(60), held);
    JobRequest job = new JobRequest("z2", dir.resolve("m.onnx").toString(), dir.resolve("c.cfg").toString(),
        Optional.empty(), Optional.empty(), OUT + "z2");
    producer.send(new ProducerRecord<>(topics.jobs(), "z2", JobMessages.write(job))).get(10, TimeUnit.SECONDS);
    try (EventLog log = new EventLog(kafka.bootstrapServers(), topics.events(), true)) {
      assertTrue(held.moving.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the winner moves its outputs");
      log.until(l -> !log.of("z2", EventType.ACCEPTED).isEmpty(), WAIT);
      assertEquals(0, log.of("z2", EventType.COMPLETED).size(), "decided, not announced before the outputs are there");

      coordinator(topics, "finisher", finisher, Duration.ofSeconds(3));
      log.until(l -> !log.of("z2", EventType.COMPLETED).isEmpty(), WAIT);
      assertEquals(List.of(), finisher.resumed, "the job was not run again");
      assertEquals(List.of("team/out-z2/model.deploy.onnx", "team/out-z2/model.fakequant.onnx",
          "team/out-z2/report.json"), keys("team/out-z2/"), "the winner's outputs, moved by the finisher");
      assertEquals("z2 by winner", text("team/out-z2/model.deploy.onnx"));

      held.gate.countDown(); // the frozen winner resumes: its moves find nothing left, its announcement is fenced
      await(() -> w.runningJobs() == 0, "the winner's attempt ends");
      assertEquals(1, log.of("z2", EventType.COMPLETED).size(), log.describe());
      assertEquals(List.of("team/out-z2/model.deploy.onnx", "team/out-z2/model.fakequant.onnx",
          "team/out-z2/report.json"), keys("team/out-z2/"));
      assertEquals("{\"by\":\"winner\"}", text("team/out-z2/report.json"));
    }
  }

  private Coordinator coordinator(Topics topics, String instance, JobExecutor executor, Duration lease) {
    return coordinator(topics, instance, executor, lease, stores);
  }

  private Coordinator coordinator(Topics topics, String instance, JobExecutor executor, Duration lease,
      OutputStore outputs) {
    CoordinatorSettings s = new CoordinatorSettings(kafka.bootstrapServers(), "group-" + instance, instance, 1, topics,
        ArtifactRoots.parse(List.of(dir.toString(), "s3://jobs/team")), Map.of(), lease, Duration.ofSeconds(6));
    Coordinator c = new Coordinator(s, new StagedExecutor(executor, dir.resolve("work-" + instance), stores), outputs,
        new SimpleMeterRegistry(), new JobBoard(100));
    c.start();
    started.add(c);
    return c;
  }

  private static List<String> keys(String prefix) {
    return s3.client().listObjectsV2Paginator(b -> b.bucket("jobs").prefix(prefix)).contents().stream()
        .map(o -> o.key()).filter(k -> !k.endsWith("/")).sorted().toList(); // S3Proxy lists its folders too
  }

  private static String text(String key) {
    return new String(s3.get("jobs", key), StandardCharsets.UTF_8);
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, what);
      Thread.sleep(50);
    }
  }

  /** The test's store with every move held at a gate: an instance frozen while moving its outputs into place. */
  private static final class HeldMoves implements OutputStore {
    final CountDownLatch moving = new CountDownLatch(1);
    final CountDownLatch gate = new CountDownLatch(1);

    @Override
    public List<String> list(String prefix) {
      return stores.list(prefix);
    }

    @Override
    public boolean exists(String location) {
      return stores.exists(location);
    }

    @Override
    public void put(Path file, String location) {
      stores.put(file, location);
    }

    @Override
    public boolean get(String location, Path file) {
      return stores.get(location, file);
    }

    @Override
    public void move(String from, String to) {
      moving.countDown();
      try {
        gate.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      stores.move(from, to);
    }

    @Override
    public void delete(String location) {
      stores.delete(location);
    }
  }

  /**
   * A one-step job: resumes when its step is saved at the checkpoint location, else saves it, then waits at its
   * gate (ignoring cancellation, as a paused process would) and writes the three outputs marked with its name.
   */
  private static final class SavingExecutor implements JobExecutor {
    final String name;
    final CountDownLatch gate;
    final CountDownLatch atGate = new CountDownLatch(1);
    final List<Boolean> resumed = new CopyOnWriteArrayList<>();
    volatile boolean finished;

    SavingExecutor(String name, CountDownLatch gate) {
      this.name = name;
      this.gate = gate;
    }

    @Override
    public JobEvent execute(JobRequest request, EventSink events, Cancellation cancellation,
        Optional<CheckpointLocation> location) {
      CheckpointLocation checkpoints = location.orElseThrow(
          () -> new AssertionError("a coordinator's attempt names where its steps are saved"));
      String id = request.jobId();
      try {
        boolean saved = checkpoints.store().exists(checkpoints.file("step-1.json"));
        resumed.add(saved);
        if (!saved) {
          checkpoints.store().put(Files.writeString(Files.createTempFile(dir, "step", ".json"), "{}"),
              checkpoints.file("step-1.json"));
        }
        atGate.countDown();
        gate.await();
        Path out = Files.createDirectories(Path.of(request.output()));
        Files.writeString(out.resolve("model.deploy.onnx"), id + " by " + name);
        Files.writeString(out.resolve("model.fakequant.onnx"), id + " by " + name);
        Files.writeString(out.resolve("report.json"), "{\"by\":\"" + name + "\"}");
        finished = true;
        return JobEvent.of(EventType.COMPLETED, id, Map.of("outputs", Map.of(
            "deployModel", out.resolve("model.deploy.onnx").toString(),
            "fakequantModel", out.resolve("model.fakequant.onnx").toString(),
            "report", out.resolve("report.json").toString()), "summary", Map.of("compressionRatio", 2.0)));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return JobEvent.of(EventType.CANCELLED, id, Map.of("reason", "interrupted"));
      }
    }
  }
}
