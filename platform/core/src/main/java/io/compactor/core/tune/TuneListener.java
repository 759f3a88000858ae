package io.compactor.core.tune;

/** Where a tune reports its progress: the CLI prints it, the job turns it into events. */
@FunctionalInterface
public interface TuneListener {
  /** Ignores progress. */
  TuneListener NONE = (phase, done, total, detail) -> {};

  /**
   * @param phase {@code sensitivity}, {@code verify}, {@code search} or {@code confirm}
   * @param done units finished in this phase
   * @param total units planned in this phase (may grow in {@code verify})
   * @param detail what was just measured, one line
   */
  void progress(String phase, int done, int total, String detail);

  /**
   * Called once per candidate run end to end, right after its {@code verify} progress: the job's events name the
   * best candidate so far.
   *
   * @param candidate the candidate as measured
   */
  default void verified(Verified candidate) {}

  /**
   * Called once under {@code --objective latency} when the contenders for the answer have been timed in rounds:
   * the job's events name the answer by its confirmed latency from then on.
   *
   * @param leader the contender with the lowest confirmed median, with {@link Verified#confirmedLatency()}
   */
  default void confirmed(Verified leader) {}
}
