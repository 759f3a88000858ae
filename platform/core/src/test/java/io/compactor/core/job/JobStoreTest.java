package io.compactor.core.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobStoreTest {
  @TempDir Path dir;

  private static JobRequest job(String output) {
    return new JobRequest("job-1", "/m.onnx", "/c.cfg", Optional.empty(), Optional.empty(), output);
  }

  @Test
  void remembersTheRequestTheRecordAndTheEnd() {
    JobStore store = new JobStore(dir);
    assertTrue(store.find("job-1").isEmpty());
    store.started(job("/out"), "jobs-0@7");
    JobStore.Entry running = store.find("job-1").orElseThrow();
    assertEquals(job("/out"), running.request());
    assertEquals(Optional.of("jobs-0@7"), running.record());
    assertTrue(running.terminal().isEmpty());
    JobEvent done = new JobEvent(EventType.COMPLETED, "job-1", Instant.parse("2026-01-01T00:00:00Z"),
        Map.of("outputs", Map.of("report", "/out/report.json"), "summary", Map.of("ratio", 2.5)));
    store.finished(done);
    JobStore.Entry ended = new JobStore(dir).find("job-1").orElseThrow();
    assertEquals(done, ended.terminal().orElseThrow());
    store.started(job("/out"), "jobs-0@9");
    assertTrue(store.find("job-1").orElseThrow().terminal().isEmpty(), "a new attempt clears the old end");
  }

  @Test
  void aLeaseHoldsUntilItLapsesOrIsReleased() {
    JobStore store = new JobStore(dir);
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    store.lease("job-1", "a", now.plusSeconds(10));
    assertEquals(Optional.of("a"), store.leaseHolder("job-1", now));
    assertEquals(Optional.empty(), store.leaseHolder("job-1", now.plusSeconds(11)));
    store.release("job-1");
    assertEquals(Optional.empty(), store.leaseHolder("job-1", now));
  }
}
