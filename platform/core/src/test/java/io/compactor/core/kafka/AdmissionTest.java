package io.compactor.core.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.core.artifact.ArtifactStores;
import io.compactor.core.job.ArtifactRoots;
import io.compactor.core.job.EventType;
import io.compactor.core.job.JobEvent;
import io.compactor.core.job.JobMessages;
import io.compactor.core.job.JobRequest;
import io.compactor.core.job.JobRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Admission's decisions per record and job state, without Kafka: real records read by JobMessages, real roots. */
class AdmissionTest {
  private static final String REF = "compactor.jobs-1@7";
  @TempDir Path dir;
  private Admission admission;

  @BeforeEach
  void roots() {
    admission = new Admission(new ArtifactRoots(List.of(dir)), ArtifactStores.localOnly());
  }

  private JobRequest job(String id) {
    return new JobRequest(id, dir.resolve("m.onnx").toString(), dir.resolve("c.cfg").toString(), Optional.empty(),
        Optional.empty(), dir.resolve("out-" + id).toString());
  }

  private static JobMessages.Message read(String key, String value) {
    return JobMessages.read(value.getBytes(StandardCharsets.UTF_8), key);
  }

  private static JobMessages.Message submit(JobRequest r) {
    return JobMessages.read(JobMessages.write(r), r.jobId());
  }

  private static Admission.JobState known(JobRequest r, Optional<JobEvent> terminal, String record) {
    return new Admission.JobState(entry(r, terminal, record), false, false, false);
  }

  /** @return the state record of a run of {@code r} from {@code record}, ended with {@code terminal} if given */
  private static Optional<JobRecord> entry(JobRequest r, Optional<JobEvent> terminal, String record) {
    JobEvent last = terminal.orElseGet(() -> JobEvent.of(EventType.ACCEPTED, r.jobId(), Map.of()));
    return Optional.of(new JobRecord(r, record, "attempt-1", "instance-a", last));
  }

  private static String reason(Admission.Decision d) {
    return String.valueOf(assertInstanceOf(Admission.Refuse.class, d).failed().data().get("reason"));
  }

  @Test
  void aNewJobRunsAndAJobCancelledWhileQueuedRunsCancelled() {
    JobRequest r = job("j1");
    assertEquals(new Admission.Run(r, false), admission.admit(submit(r), REF, Admission.JobState.NEW));
    assertEquals(new Admission.Run(r, true), admission.admit(submit(r), REF,
        new Admission.JobState(Optional.empty(), false, false, true)));
  }

  @Test
  void aRecordWithoutAJobIdIsDeadLetteredAndOneWithAJobIdIsRefused() {
    Admission.Decision garbage = admission.admit(read(null, "{not json"), REF, Admission.JobState.NEW);
    assertTrue(assertInstanceOf(Admission.DeadLetter.class, garbage).reason().startsWith("not JSON"),
        garbage.toString());
    Admission.Decision incomplete = admission.admit(read("j2", "{\"jobId\":\"j2\",\"model\":\"m.onnx\"}"), REF,
        Admission.JobState.NEW);
    JobEvent failed = assertInstanceOf(Admission.Refuse.class, incomplete).failed();
    assertEquals(EventType.FAILED, failed.type());
    assertEquals("j2", failed.jobId());
    assertEquals("request", failed.data().get("stage"));
    assertTrue(reason(incomplete).contains("config"), reason(incomplete));
  }

  @Test
  void aCancelRequestIsOnlyCommitted() {
    assertInstanceOf(Admission.Commit.class, admission.admit(JobMessages.read(JobMessages.cancel("j3"), "j3"), REF,
        Admission.JobState.NEW));
  }

  @Test
  void aPathOutsideTheRootsIsRefusedNamingTheField() {
    JobRequest r = new JobRequest("j4", "/etc/passwd", job("j4").config().orElseThrow(), Optional.empty(), Optional.empty(),
        job("j4").output());
    String reason = reason(admission.admit(submit(r), REF, Admission.JobState.NEW));
    assertTrue(reason.startsWith("model: /etc/passwd is outside the allowed artifact roots"), reason);
  }

  @Test
  void aJobIdReusedForADifferentRequestIsRefused() {
    JobRequest first = job("j5");
    JobRequest other = new JobRequest("j5", first.model(), first.config().orElseThrow(), Optional.empty(), Optional.empty(),
        dir.resolve("elsewhere").toString());
    String reason = reason(admission.admit(submit(other), REF, known(first, Optional.empty(), "x-0@0")));
    assertTrue(reason.startsWith("job id j5 was already used for a different request ("), reason);
    assertTrue(reason.contains("out-j5"), "names the first request: " + reason);
  }

  @Test
  void theSameRecordDeliveredAgainAfterItsJobEndedIsOnlyCommitted() throws IOException {
    JobRequest r = job("j6");
    JobEvent failed = Admission.failed("j6", "step", "boom");
    assertInstanceOf(Admission.Commit.class, admission.admit(submit(r), REF, known(r, Optional.of(failed), REF)));
    Path model = Files.writeString(dir.resolve("j6.onnx"), "x");
    JobEvent completed = JobEvent.of(EventType.COMPLETED, "j6", Map.of("outputs", Map.of("model", model.toString())));
    assertInstanceOf(Admission.Commit.class, admission.admit(submit(r), REF,
        known(r, Optional.of(completed), REF)), "its completed event is out already: not a second one");
    // a failed job submitted again in a new record runs again
    assertEquals(new Admission.Run(r, false), admission.admit(submit(r), "compactor.jobs-1@9",
        known(r, Optional.of(failed), REF)));
  }

  @Test
  void aCompletedJobIsReplayedFromItsOutputsOnlyWhileTheyAllExist() throws IOException {
    JobRequest r = job("j7");
    Path model = Files.writeString(dir.resolve("out.onnx"), "x");
    Path report = dir.resolve("report.json");
    JobEvent completed = JobEvent.of(EventType.COMPLETED, "j7", Map.of("outputs",
        Map.of("model", model.toString(), "report", report.toString())));
    String newRecord = "compactor.jobs-1@9";
    assertEquals(new Admission.Run(r, false), admission.admit(submit(r), newRecord,
        known(r, Optional.of(completed), REF)), "an output is missing: computed again");
    Files.writeString(report, "{}");
    JobEvent replay = assertInstanceOf(Admission.Replay.class, admission.admit(submit(r), newRecord,
        known(r, Optional.of(completed), REF))).event();
    assertEquals(EventType.COMPLETED, replay.type());
    assertEquals(true, replay.data().get("replayed"));
  }

  @Test
  void aJobUnderAnotherInstancesLeaseOrBehindARunningJobWaits() {
    JobRequest r = job("j8");
    Optional<JobRecord> started = entry(r, Optional.empty(), "x-0@1");
    assertEquals(new Admission.Wait("j8"), admission.admit(submit(r), REF,
        new Admission.JobState(started, true, false, false)));
    assertEquals(new Admission.Wait("j8"), admission.admit(submit(r), REF,
        new Admission.JobState(Optional.empty(), false, true, false)));
    assertEquals(new Admission.Run(r, false), admission.admit(submit(r), REF,
        new Admission.JobState(started, false, false, false)), "the lease lapsed: run it here");
  }

  @Test
  void aWaitingRequestIsCommittedWhenTheOtherRunEndedAndRunWhenItsLeaseLapsed() {
    JobRequest r = job("j9");
    Optional<JobRecord> running = entry(r, Optional.empty(), "x-0@1");
    Optional<JobRecord> ended = entry(r, Optional.of(JobEvent.of(EventType.COMPLETED, "j9", Map.of())), "x-0@1");
    assertEquals(new Admission.Wait("j9"), admission.recheck(r, new Admission.JobState(running, true, false, false)));
    assertInstanceOf(Admission.Commit.class, admission.recheck(r, new Admission.JobState(ended, true, false, false)));
    assertEquals(new Admission.Run(r, true), admission.recheck(r, new Admission.JobState(running, false, false, true)));
  }
}
