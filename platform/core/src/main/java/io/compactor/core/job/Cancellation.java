package io.compactor.core.job;

import java.util.concurrent.atomic.AtomicBoolean;

/** A job's cancellation flag, set by a cancel request and read between layers. Thread-safe. */
public final class Cancellation {
  private final AtomicBoolean requested = new AtomicBoolean();

  /** Requests cancellation; the job stops at its next layer boundary. */
  public void cancel() {
    requested.set(true);
  }

  /** @return whether cancellation was requested */
  public boolean requested() {
    return requested.get();
  }
}
