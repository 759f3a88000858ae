package io.compactor.core.job;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The last event of recent jobs seen by this instance, for {@code GET /jobs/{id}}. Bounded; thread-safe. */
public final class JobBoard {
  private final Map<String, JobEvent> last;

  /** @param capacity how many jobs to remember; the oldest are forgotten first */
  public JobBoard(int capacity) {
    this.last = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, JobEvent> eldest) {
        return size() > capacity;
      }
    });
  }

  /** Remembers {@code event} as the job's latest. */
  public void record(JobEvent event) {
    last.put(event.jobId(), event);
  }

  /** @return the latest event of {@code jobId} seen here */
  public Optional<JobEvent> last(String jobId) {
    return Optional.ofNullable(last.get(jobId));
  }

  /** @return an event sink that records, then forwards to {@code next} */
  public EventSink recording(EventSink next) {
    return e -> {
      record(e);
      next.publish(e);
    };
  }
}
