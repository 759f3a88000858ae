package io.compactor.core.host;

import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Deadline polling for integration tests: check often, give up loudly, never sleep-and-hope. */
final class Await {
  static final Duration DEFAULT = Duration.ofSeconds(20);
  private static final long STEP_MILLIS = 5;

  private Await() {}

  /**
   * @param what what is awaited, for the failure message
   * @return the first value of {@code probe} that satisfies {@code done}
   * @throws AssertionError with the last value seen when {@code timeout} passes first
   */
  static <T> T until(String what, Duration timeout, Supplier<T> probe, Predicate<T> done) {
    long deadline = System.nanoTime() + timeout.toNanos();
    T last;
    do {
      last = probe.get();
      if (done.test(last)) {
        return last;
      }
      try {
        Thread.sleep(STEP_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for " + what, e);
      }
    } while (System.nanoTime() < deadline);
    throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what
        + "; last seen: " + last);
  }

  /** {@link #until} with the default timeout. */
  static <T> T until(String what, Supplier<T> probe, Predicate<T> done) {
    return until(what, DEFAULT, probe, done);
  }
}
