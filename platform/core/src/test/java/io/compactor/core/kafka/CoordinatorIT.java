package io.compactor.core.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.core.job.ArtifactRoots;
import io.compactor.core.job.EventType;
import io.compactor.core.job.JobBoard;
import io.compactor.core.job.JobLimits;
import io.compactor.core.job.JobMessages;
import io.compactor.core.job.JobRequest;
import io.compactor.core.metrics.JobMetrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The coordinator against a real in-JVM KRaft broker; each test uses its own topics and group. */
@Tag("integration")
class CoordinatorIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static TestBroker broker;
  private static EmbeddedKafka kafka;
  private static Admin admin;
  private static KafkaProducer<String, byte[]> producer;
  @TempDir Path dir;
  private final List<Coordinator> started = new ArrayList<>();
  private final Map<String, JobBoard> boards = new java.util.HashMap<>();
  private Topics topics;

  @BeforeAll
  static void broker() {
    broker = TestBroker.start();
    kafka = broker.kafka();
    admin = broker.admin();
    producer = broker.producer();
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  @AfterEach
  void stopCoordinators() {
    started.forEach(Coordinator::close);
  }

  private Coordinator coordinator(String instance, int concurrency, LayerLoopExecutor executor, Duration lease) {
    return coordinator(instance, concurrency, executor, lease, new SimpleMeterRegistry());
  }

  private Coordinator coordinator(String instance, int concurrency, LayerLoopExecutor executor, Duration lease,
      MeterRegistry meters) {
    return coordinator(instance, concurrency, executor, lease, meters, Map.of());
  }

  private Coordinator coordinator(String instance, int concurrency, LayerLoopExecutor executor, Duration lease,
      MeterRegistry meters, Map<String, String> kafkaOverrides) {
    if (topics == null) {
      String suffix = UUID.randomUUID().toString().substring(0, 8);
      topics = new Topics("jobs-" + suffix, "events-" + suffix, "dlt-" + suffix);
      topics.ensure(admin, 4, (short) 1);
    }
    CoordinatorSettings s = new CoordinatorSettings(kafka.bootstrapServers(), "group-" + topics.jobs(), instance,
        concurrency, topics, new ArtifactRoots(List.of(dir)), kafkaOverrides, lease,
        Duration.ofSeconds(6));
    JobBoard board = new JobBoard(100);
    boards.put(instance, board);
    Coordinator c = new Coordinator(s, executor, meters, board);
    c.start();
    started.add(c);
    return c;
  }

  private JobRequest job(String id) {
    return new JobRequest(id, dir.resolve("m.onnx").toString(), dir.resolve("c.cfg").toString(), Optional.empty(),
        Optional.empty(), dir.resolve("out-" + id).toString());
  }

  private void send(String key, byte[] value) throws Exception {
    producer.send(new ProducerRecord<>(topics.jobs(), key, value)).get(10, TimeUnit.SECONDS);
  }

  private EventLog events() {
    return new EventLog(kafka.bootstrapServers(), topics.events(), true);
  }

  @Test
  void aJobRunsEndToEndWithEventsInOrderAndItsOffsetCommitted() throws Exception {
    LayerLoopExecutor executor = new LayerLoopExecutor(3, 50);
    coordinator("a", 1, executor, Duration.ofSeconds(30));
    send("job-1", JobMessages.write(job("job-1")));
    try (EventLog log = events()) {
      List<EventLog.Entry> seen = log.until(EventLog.ended("job-1"), WAIT);
      List<String> types = seen.stream().map(e -> e.type().id()).toList();
      assertEquals(List.of("accepted", "planned", "step.started", "step.progress", "step.progress", "step.progress",
          "completed"), types);
    }
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (committed() < 1) {
      assertTrue(System.nanoTime() < deadline, "offset not committed");
      Thread.sleep(100);
    }
  }

  private long committed() throws Exception {
    return admin.listConsumerGroupOffsets("group-" + topics.jobs()).partitionsToOffsetAndMetadata()
        .get(10, TimeUnit.SECONDS).values().stream().mapToLong(o -> o == null ? 0 : o.offset()).sum();
  }

  @Test
  void aRedeliveredJobIsAnsweredFromItsOutputsAndAReusedIdIsRefused() throws Exception {
    LayerLoopExecutor executor = new LayerLoopExecutor(1, 10);
    coordinator("a", 1, executor, Duration.ofSeconds(30));
    send("job-2", JobMessages.write(job("job-2")));
    send("job-2", JobMessages.write(job("job-2")));
    JobRequest other = new JobRequest("job-2", job("job-2").model(), job("job-2").config().orElseThrow(), Optional.empty(),
        Optional.empty(), dir.resolve("elsewhere").toString());
    send("job-2", JobMessages.write(other));
    try (EventLog log = events()) {
      log.until(l -> l.stream().filter(e -> e.type().terminal()).count() == 3, WAIT);
      List<EventLog.Entry> completed = log.of("job-2", EventType.COMPLETED);
      assertEquals(2, completed.size(), log.describe());
      assertTrue(completed.get(1).body().path("replayed").asBoolean(), log.describe());
      List<EventLog.Entry> failed = log.of("job-2", EventType.FAILED);
      assertEquals(1, failed.size());
      assertTrue(failed.get(0).body().path("reason").asText().contains("already used for a different request"),
          failed.get(0).body().toString());
    }
    assertEquals(1, executor.runs("job-2"));
  }

  @Test
  void badInputNeverStopsThePlatformAndNeverDisappears() throws Exception {
    LayerLoopExecutor executor = new LayerLoopExecutor(1, 10);
    coordinator("a", 1, executor, Duration.ofSeconds(30));
    send("garbage", "{not json".getBytes(StandardCharsets.UTF_8));
    send("job-3", "{\"jobId\":\"job-3\",\"model\":\"m.onnx\"}".getBytes(StandardCharsets.UTF_8));
    send("job-4", JobMessages.write(new JobRequest("job-4", "/etc/passwd", job("job-4").config().orElseThrow(), Optional.empty(),
        Optional.empty(), job("job-4").output())));
    send("job-5", JobMessages.write(job("job-5")));
    try (EventLog log = events(); EventLog dlt = new EventLog(kafka.bootstrapServers(), topics.deadLetters(), false)) {
      log.until(l -> List.of("job-3", "job-4", "job-5").stream().allMatch(id -> EventLog.ended(id).test(l)), WAIT);
      String schema = log.of("job-3", EventType.FAILED).get(0).body().path("reason").asText();
      assertTrue(schema.contains("job-request.schema.json") && schema.contains("config"), schema);
      String roots = log.of("job-4", EventType.FAILED).get(0).body().path("reason").asText();
      assertTrue(roots.startsWith("model: /etc/passwd is outside the allowed artifact roots"), roots);
      assertEquals(1, log.of("job-5", EventType.COMPLETED).size());
      EventLog.Entry dead = dlt.until(l -> !l.isEmpty(), WAIT).get(0);
      assertEquals("garbage", dead.key());
      String reason = CloudEventHeaders.header(dead.record().headers(), DeadLetters.REASON).orElseThrow();
      assertTrue(reason.startsWith("not JSON"), reason);
      assertEquals(topics.jobs(), CloudEventHeaders.header(dead.record().headers(), DeadLetters.ORIGINAL_TOPIC).orElseThrow());
    }
  }

  @Test
  void aCancelRequestStopsARunningJobAtALayerBoundary() throws Exception {
    LayerLoopExecutor executor = new LayerLoopExecutor(200, 50);
    coordinator("a", 1, executor, Duration.ofSeconds(30));
    send("job-6", JobMessages.write(job("job-6")));
    try (EventLog log = events()) {
      log.until(l -> !log.of("job-6", EventType.STEP_PROGRESS).isEmpty(), WAIT);
      send("job-6", JobMessages.cancel("job-6"));
      log.until(EventLog.ended("job-6"), WAIT);
      assertEquals(1, log.of("job-6", EventType.CANCELLED).size(), log.describe());
      assertTrue(log.of("job-6", EventType.STEP_PROGRESS).size() < 200);
    }
  }

  @Test
  void twoInstancesInOneGroupShareJobsWithNoneLostOrDuplicated() throws Exception {
    LayerLoopExecutor a = new LayerLoopExecutor(3, 100);
    LayerLoopExecutor b = new LayerLoopExecutor(3, 100);
    Coordinator first = coordinator("a", 2, a, Duration.ofSeconds(30));
    Coordinator second = coordinator("b", 2, b, Duration.ofSeconds(30));
    // jobs sent before the group has settled would all go to whichever instance joined first
    awaitAssigned(first, second);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      ids.add("shared-" + i);
      send("shared-" + i, JobMessages.write(job("shared-" + i)));
    }
    try (EventLog log = events()) {
      log.until(l -> ids.stream().allMatch(id -> EventLog.ended(id).test(l)), WAIT);
      for (String id : ids) {
        // a record redelivered after a rebalance may be answered again from its outputs (replayed: true)
        assertEquals(1, log.of(id, EventType.COMPLETED).stream().filter(e -> !e.body().path("replayed").asBoolean())
            .count(), id + log.describe());
        assertEquals(1, a.runs(id) + b.runs(id), id);
      }
    }
    assertTrue(a.runs.size() > 0 && b.runs.size() > 0, "both instances took jobs: a=" + a.runs.keySet()
        + " b=" + b.runs.keySet());
    // each instance answers for every job, wherever it ran (the state topic, read by both)
    await(() -> ids.stream().allMatch(id -> boards.values().stream().allMatch(board -> board.last(id)
        .filter(e -> e.type() == EventType.COMPLETED).isPresent())), "both instances know every job's end");
  }

  @Test
  void aJobThatBeganStartingBeforeItsPartitionMovedRunsOnlyWhereItBegan() throws Exception {
    LayerLoopExecutor a = new LayerLoopExecutor(3, 100);
    LayerLoopExecutor b = new LayerLoopExecutor(3, 100);
    Map<String, String> holding = Map.of("interceptor.classes", HeldStarts.class.getName());
    try (AutoCloseable held = HeldStarts.hold("a")) {
      Coordinator first = coordinator("a", 4, a, Duration.ofSeconds(30), new SimpleMeterRegistry(), holding);
      awaitAssigned(first);
      List<String> ids = List.of("moving-0", "moving-1", "moving-2", "moving-3");
      for (int p = 0; p < ids.size(); p++) {
        sendTo(p, ids.get(p), JobMessages.write(job(ids.get(p))));
      }
      await(() -> HeldStarts.held() == ids.size(), "a admitted the four jobs and holds them at their start");
      coordinator("b", 4, b, Duration.ofSeconds(30), new SimpleMeterRegistry(), holding);
      // had a let partitions go before its jobs' leases were written, b would take those jobs over now
      long hold = System.nanoTime() + Duration.ofSeconds(8).toNanos();
      await(() -> !b.runs.isEmpty() || System.nanoTime() > hold, "b takes a job over, or the hold ends");
      held.close();
      try (EventLog log = events()) {
        log.until(l -> ids.stream().allMatch(id -> EventLog.ended(id).test(l)), WAIT);
        for (String id : ids) {
          assertEquals(1, log.of(id, EventType.COMPLETED).size(), id + log.describe());
          assertEquals(1, a.runs(id), id + " ran where it began");
          assertEquals(0, b.runs(id), id + " was not taken over");
        }
      }
      awaitCommitted(ids.size());
    }
  }

  private static void awaitAssigned(Coordinator... coordinators) throws InterruptedException {
    await(() -> Arrays.stream(coordinators).noneMatch(c -> c.assignedPartitions().isEmpty()),
        "the group gives every instance a partition");
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "not within " + WAIT + ": " + what);
      Thread.sleep(50);
    }
  }

  @Test
  void theBacklogCountsJobsQueuedBehindARunningOneAndDrainsToZero() throws Exception {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    Coordinator c = coordinator("a", 1, new LayerLoopExecutor(4, 150), Duration.ofSeconds(30), meters);
    awaitAssigned(c);
    Gauge backlog = meters.get(JobMetrics.BACKLOG).gauge();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      ids.add("queued-" + i);
      send("queued-" + i, JobMessages.write(job("queued-" + i)));
    }
    // one job runs at a time, so while the first ones run most of the six wait on their paused partitions
    await(() -> backlog.value() >= 3, "a backlog of at least 3 records, last " + backlog.value());
    try (EventLog log = events()) {
      log.until(l -> ids.stream().allMatch(id -> EventLog.ended(id).test(l)), WAIT);
    }
    await(() -> backlog.value() == 0, "the backlog drains once every job is committed");
  }

  @Test
  void aJobOfAKilledInstanceIsRedoneByTheSurvivorAndCompletesOnce() throws Exception {
    LayerLoopExecutor doomed = new LayerLoopExecutor(100, 100);
    LayerLoopExecutor survivor = new LayerLoopExecutor(5, 20);
    Coordinator a = coordinator("doomed", 1, doomed, Duration.ofSeconds(2));
    send("job-7", JobMessages.write(job("job-7")));
    try (EventLog log = events()) {
      log.until(l -> !log.of("job-7", EventType.STEP_PROGRESS).isEmpty(), WAIT);
      coordinator("survivor", 1, survivor, Duration.ofSeconds(2));
      a.crash();
      log.until(EventLog.ended("job-7"), WAIT);
      assertEquals(1, log.of("job-7", EventType.COMPLETED).size(), log.describe());
      assertEquals(0, log.of("job-7", EventType.CANCELLED).size(), log.describe());
      assertEquals(1, survivor.runs("job-7"));
    }
  }

  private long committed(int partition) throws Exception {
    var offsets = admin.listConsumerGroupOffsets("group-" + topics.jobs()).partitionsToOffsetAndMetadata()
        .get(10, TimeUnit.SECONDS);
    var o = offsets.get(new TopicPartition(topics.jobs(), partition));
    return o == null ? 0 : o.offset();
  }

  private void sendTo(int partition, String key, byte[] value) throws Exception {
    producer.send(new ProducerRecord<>(topics.jobs(), partition, key, value)).get(10, TimeUnit.SECONDS);
  }

  private void awaitCommitted(int partition, long offset) throws InterruptedException {
    await(() -> {
      try {
        return committed(partition) >= offset;
      } catch (Exception e) {
        return false;
      }
    }, "offset " + offset + " committed on partition " + partition);
  }

  @Test
  void anOversizedRequestEndsOnceBeforeItIsAcceptedAndThePartitionKeepsFlowing() throws Exception {
    LayerLoopExecutor executor = new LayerLoopExecutor(1, 10);
    coordinator("a", 1, executor, Duration.ofSeconds(30));
    // the report of issue 14: a 900 KB model path; its accepted event would have been 1.8 MB
    String path = dir.resolve("m".repeat(900_000) + ".onnx").toString();
    byte[] big = ("{\"jobId\":\"big-1\",\"model\":\"" + path + "\",\"config\":\"c.cfg\",\"output\":\"out\"}")
        .getBytes(StandardCharsets.UTF_8);
    sendTo(0, "big-1", big);
    sendTo(0, "bad key!", big);
    sendTo(0, "after-big", JobMessages.write(job("after-big")));
    try (EventLog log = events(); EventLog dlt = new EventLog(kafka.bootstrapServers(), topics.deadLetters(), false)) {
      log.until(EventLog.ended("after-big"), WAIT);
      assertEquals(1, log.of("after-big", EventType.COMPLETED).size(), log.describe());
      EventLog.Entry dead = dlt.until(l -> !l.isEmpty(), WAIT).get(0);
      assertEquals("bad key!", dead.key());
      assertEquals(String.valueOf(big.length), CloudEventHeaders.header(dead.record().headers(),
          DeadLetters.VALUE_BYTES).orElseThrow());
      assertEquals(JobLimits.MAX_DEAD_LETTER_VALUE_BYTES, dead.record().value().length);
      awaitCommitted(0, 3);
      List<EventLog.Entry> failed = log.of("big-1", EventType.FAILED);
      assertEquals(1, failed.size(), log.describe());
      String reason = failed.get(0).body().path("reason").asText();
      assertTrue(reason.startsWith("request: the record value has " + big.length + " bytes"), reason);
      assertEquals(0, log.of("big-1", EventType.ACCEPTED).size(), "refused before it is accepted");
      assertTrue(failed.get(0).record().serializedValueSize() < 1024);
    }
    assertEquals(0, executor.runs("big-1"));
  }

  @Test
  void aTerminalEventKafkaRefusesSendsTheRecordToTheDeadLetterTopicAndCommitsIt() throws Exception {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    topics = new Topics("jobs-" + suffix, "events-" + suffix, "dlt-" + suffix);
    // an events topic that takes no record over 6000 bytes stands in for any event Kafka refuses
    admin.createTopics(List.of(new NewTopic(topics.jobs(), 1, (short) 1),
        new NewTopic(topics.events(), 1, (short) 1).configs(Map.of("max.message.bytes", "6000")),
        new NewTopic(topics.deadLetters(), 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
    topics.ensure(admin, 1, (short) 1); // the state topic
    LayerLoopExecutor executor = new LayerLoopExecutor(1, 10);
    executor.summaryFiller.put("huge-end", 7_000);
    coordinator("a", 1, executor, Duration.ofSeconds(30));
    send("huge-end", JobMessages.write(job("huge-end")));
    send("next", JobMessages.write(job("next")));
    try (EventLog log = events(); EventLog dlt = new EventLog(kafka.bootstrapServers(), topics.deadLetters(), false)) {
      log.until(EventLog.ended("next"), WAIT);
      assertEquals(1, log.of("next", EventType.COMPLETED).size(), log.describe());
      EventLog.Entry dead = dlt.until(l -> !l.isEmpty(), WAIT).get(0);
      assertEquals("huge-end", dead.key());
      String reason = CloudEventHeaders.header(dead.record().headers(), DeadLetters.REASON).orElseThrow();
      assertTrue(reason.startsWith("the completed event of job huge-end could not be published after 1 attempt: ")
          && reason.contains("RecordTooLarge"), reason);
      assertEquals("0", CloudEventHeaders.header(dead.record().headers(), DeadLetters.ORIGINAL_OFFSET).orElseThrow());
      awaitCommitted(0, 2);
      assertEquals(0, log.of("huge-end", EventType.COMPLETED).size(), log.describe());
      List<EventLog.Entry> failed = log.of("huge-end", EventType.FAILED);
      assertEquals(1, failed.size(), "the followers learn that the job ended" + log.describe());
      assertTrue(failed.get(0).body().path("reason").asText().endsWith("the request went to the dead-letter topic"));
    }
    assertEquals(1, executor.runs("huge-end"), "dead-lettered, not redone");
    assertEquals(1, dltCount(), "exactly one dead letter");
  }

  /** @return the dead letters seen after two more seconds of polling (for "exactly one") */
  private int dltCount() {
    try (EventLog dlt = new EventLog(kafka.bootstrapServers(), topics.deadLetters(), false)) {
      long end = System.nanoTime() + Duration.ofSeconds(2).toNanos();
      return dlt.until(l -> System.nanoTime() > end, WAIT).size();
    }
  }

  @Test
  void aPathEscapingThroughASymlinkEndsFailedNamingTheField(@TempDir Path elsewhere) throws Exception {
    LayerLoopExecutor executor = new LayerLoopExecutor(1, 10);
    coordinator("a", 1, executor, Duration.ofSeconds(30));
    Files.writeString(elsewhere.resolve("secret.onnx"), "not yours");
    Path link = Files.createSymbolicLink(dir.resolve("link.onnx"), elsewhere.resolve("secret.onnx"));
    send("escape", JobMessages.write(new JobRequest("escape", link.toString(), job("escape").config().orElseThrow(),
        Optional.empty(), Optional.empty(), job("escape").output())));
    try (EventLog log = events()) {
      log.until(EventLog.ended("escape"), WAIT);
      String reason = log.of("escape", EventType.FAILED).get(0).body().path("reason").asText();
      assertTrue(reason.startsWith("model: " + link + " leads through a symbolic link to "), reason);
      assertEquals(0, log.of("escape", EventType.ACCEPTED).size());
    }
    assertEquals(0, executor.runs("escape"));
  }

  @Test
  void aCancelAppliesOnlyToARequestBeforeIt() throws Exception {
    LayerLoopExecutor executor = new LayerLoopExecutor(200, 50);
    Coordinator c = coordinator("a", 1, executor, Duration.ofSeconds(30));
    awaitAssigned(c);
    try (EventLog log = events()) {
      // a cancel for an id never seen, then a running job cancelled behind it on the same partition: once
      // that job is cancelled, the listener has seen the first cancel too
      sendTo(0, "ghost", JobMessages.cancel("ghost"));
      sendTo(0, "runner", JobMessages.write(job("runner")));
      log.until(l -> !log.of("runner", EventType.STEP_PROGRESS).isEmpty(), WAIT);
      sendTo(0, "queued", JobMessages.write(job("queued")));
      sendTo(0, "queued", JobMessages.cancel("queued"));
      sendTo(0, "runner", JobMessages.cancel("runner"));
      log.until(EventLog.ended("runner"), WAIT);
      assertEquals(1, log.of("runner", EventType.CANCELLED).size(), log.describe());
      log.until(EventLog.ended("queued"), WAIT);
      assertEquals(1, log.of("queued", EventType.CANCELLED).size(), "cancelled while queued" + log.describe());
      sendTo(0, "ghost", JobMessages.write(job("ghost")));
      log.until(l -> EventLog.ended("ghost").test(l) || !log.of("ghost", EventType.STEP_PROGRESS).isEmpty(), WAIT);
      assertEquals(0, log.of("ghost", EventType.CANCELLED).size(), "the cancel sent before the ghost job was "
          + "applied to it" + log.describe());
      sendTo(0, "ghost", JobMessages.cancel("ghost")); // a cancel after the request does stop it
      log.until(EventLog.ended("ghost"), WAIT);
      assertEquals(1, log.of("ghost", EventType.CANCELLED).size(), log.describe());
      assertEquals(1, executor.runs("ghost"));
    }
  }

  @Test
  void jobsRunWithTheConsumerGroupProtocolOfKip848() throws Exception {
    Map<String, String> kip848 = Map.of("group.protocol", "consumer");
    LayerLoopExecutor a = new LayerLoopExecutor(3, 50);
    LayerLoopExecutor b = new LayerLoopExecutor(3, 50);
    Coordinator first = coordinator("a", 1, a, Duration.ofSeconds(30), new SimpleMeterRegistry(), kip848);
    Coordinator second = coordinator("b", 1, b, Duration.ofSeconds(30), new SimpleMeterRegistry(), kip848);
    awaitAssigned(first, second);
    String group = "group-" + topics.jobs();
    assertEquals(GroupType.CONSUMER, admin.describeConsumerGroups(List.of(group)).all().get(10, TimeUnit.SECONDS)
        .get(group).type(), "the group runs the new protocol");
    List<String> ids = List.of("kip848-1", "kip848-2", "kip848-3", "kip848-4");
    for (String id : ids) {
      send(id, JobMessages.write(job(id)));
    }
    try (EventLog log = events()) {
      log.until(l -> ids.stream().allMatch(id -> EventLog.ended(id).test(l)), WAIT);
      for (String id : ids) {
        assertEquals(1, log.of(id, EventType.COMPLETED).size(), id + log.describe());
        assertEquals(1, a.runs(id) + b.runs(id), id);
      }
    }
    awaitCommitted(ids.size());
  }

  private void awaitCommitted(long total) throws InterruptedException {
    await(() -> {
      try {
        return committed() >= total;
      } catch (Exception e) {
        return false;
      }
    }, total + " offsets committed");
  }
}
