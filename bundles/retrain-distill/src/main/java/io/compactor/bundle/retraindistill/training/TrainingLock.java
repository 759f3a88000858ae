package io.compactor.bundle.retraindistill.training;

import java.util.concurrent.locks.ReentrantLock;

/**
 * DJL 0.36 allows one gradient collector per JVM at a time, so trainings take turns, first come first served.
 * The lock is a static of this bundle's class loader: one per bundle revision. A new revision of the bundle
 * (a new jar dropped in while a training of the old one still runs) gets a new lock, and during that overlap
 * two trainings could collect gradients at once. Accepted, and documented, rather than adding a lock to the
 * host's API: replacing the retraining bundle in the middle of a training is rare, and the old revision's
 * training ends with its job.
 */
public final class TrainingLock {
  private static final ReentrantLock LOCK = new ReentrantLock(true);

  private TrainingLock() {}

  /** A held turn; closing it gives the next training its turn. */
  public static final class Turn implements AutoCloseable {
    private final double waitSeconds;
    private boolean released;

    private Turn(double waitSeconds) {
      this.waitSeconds = waitSeconds;
    }

    /** @return how long this training waited for its turn */
    public double waitSeconds() {
      return waitSeconds;
    }

    @Override
    public void close() {
      if (!released) {
        released = true;
        LOCK.unlock();
      }
    }
  }

  /**
   * Waits for the turn, interruptibly.
   *
   * @return the turn; close it in the thread that took it
   * @throws InterruptedException when the waiting thread is interrupted (the job was cancelled)
   */
  public static Turn take() throws InterruptedException {
    long start = System.nanoTime();
    LOCK.lockInterruptibly();
    return new Turn((System.nanoTime() - start) / 1e9);
  }

  /** @return whether some training holds the turn now */
  public static boolean busy() {
    return LOCK.isLocked();
  }
}
