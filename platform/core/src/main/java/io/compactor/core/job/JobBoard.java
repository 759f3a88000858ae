package io.compactor.core.job;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The last event of recent jobs seen by this instance, for {@code GET /jobs/{id}}, backed by what every
 * instance shares (the state topic), so a job run elsewhere is answered too. Bounded; thread-safe.
 */
public final class JobBoard {
  private final Map<String, JobEvent> last;
  private volatile Function<String, Optional<JobEvent>> shared = id -> Optional.empty();

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

  /** @param shared the latest event of a job as all instances know it (its state record) */
  public void backedBy(Function<String, Optional<JobEvent>> shared) {
    this.shared = shared;
  }

  /** @return the latest event of {@code jobId}, seen here or recorded by any instance, whichever is newer */
  public Optional<JobEvent> last(String jobId) {
    Optional<JobEvent> here = Optional.ofNullable(last.get(jobId));
    Optional<JobEvent> anywhere = shared.apply(jobId);
    if (here.isEmpty() || anywhere.isEmpty()) {
      return here.isPresent() ? here : anywhere;
    }
    return anywhere.get().time().isAfter(here.get().time()) ? anywhere : here;
  }

  /** @return an event sink that records, then forwards to {@code next} */
  public EventSink recording(EventSink next) {
    return e -> {
      record(e);
      next.publish(e);
    };
  }
}
