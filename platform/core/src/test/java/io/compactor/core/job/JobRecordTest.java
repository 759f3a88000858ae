package io.compactor.core.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.api.CompactorException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A job's state record survives the state topic's JSON, and says when the job ended. */
class JobRecordTest {
  private final JobRequest request = new JobRequest("j1", "/data/m.onnx", "/data/c.cfg", Optional.of("/data/calib"),
      Optional.empty(), "/data/out");

  @Test
  void aRecordReadsBackAsWritten() {
    JobEvent accepted = JobEvent.of(EventType.ACCEPTED, "j1", Map.of("instance", "a"));
    JobRecord r = new JobRecord(request, "jobs-0@7", "attempt-1", "a", accepted);
    JobRecord back = JobRecord.read("j1", r.write());
    assertEquals(request, back.request());
    assertEquals("jobs-0@7", back.source());
    assertEquals("attempt-1", back.attempt());
    assertEquals("a", back.instance());
    assertEquals(EventType.ACCEPTED, back.lastEvent().type());
    assertEquals(accepted.time(), back.lastEvent().time());
    assertTrue(back.terminal().isEmpty(), "accepted is not an end");
  }

  @Test
  void aTerminalEventEndsTheJobAndAReleasedRecordNamesNoInstance() {
    JobRecord r = new JobRecord(request, "jobs-0@7", "attempt-1", "a", JobEvent.of(EventType.ACCEPTED, "j1", Map.of()))
        .with(JobEvent.of(EventType.COMPLETED, "j1", Map.of("outputs", Map.of("report", "/data/out/report.json"))));
    JobRecord back = JobRecord.read("j1", r.write());
    assertEquals(EventType.COMPLETED, back.terminal().orElseThrow().type());
    assertEquals(Map.of("report", "/data/out/report.json"), back.lastEvent().data().get("outputs"));
    assertEquals("", JobRecord.read("j1", r.released().write()).instance());
  }

  @Test
  void aDecidedRunKeepsItsCompletedEventUntilItIsPublished() {
    JobEvent completed = JobEvent.of(EventType.COMPLETED, "j1", Map.of("outputs", Map.of("report", "/data/out/r.json")));
    JobRecord r = new JobRecord(request, "jobs-0@7", "attempt-1", "a", JobEvent.of(EventType.ACCEPTED, "j1", Map.of()))
        .decided(completed);
    JobRecord back = JobRecord.read("j1", r.write());
    assertEquals(completed.data(), back.decided().orElseThrow().data());
    assertTrue(back.terminal().isEmpty(), "decided is not announced");
    assertTrue(back.with(JobEvent.of(EventType.STEP_COMPLETED, "j1", Map.of())).released().decided().isPresent(),
        "renewals and a release keep it");
    assertTrue(back.with(completed).decided().isEmpty(), "publishing the event ends it");
    assertTrue(JobRecord.read("j1", new JobRecord(request, "jobs-0@7", "attempt-1", "a", completed).write()).decided()
        .isEmpty(), "records written before decisions existed read as undecided");
  }

  @Test
  void anUnreadableRecordNamesTheJob() {
    CompactorException e = assertThrows(CompactorException.class,
        () -> JobRecord.read("j9", "{\"request\":{}}".getBytes(StandardCharsets.UTF_8)));
    assertTrue(e.getMessage().startsWith("state record of job j9: unreadable"), e.getMessage());
  }
}
