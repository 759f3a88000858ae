package io.compactor.core.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Compression steps: how long each capability's provider took, and how it ended; retraining: how long it
 * trained and the loss of the last epoch reported.
 */
public final class StepMetrics {
  /** Timer tagged {@code capability}, {@code provider} (bundle and version) and {@code outcome}. */
  public static final String DURATION = "compactor.step.duration";
  /** Timer of the retraining step's training time (Prometheus {@code compactor_retrain_duration_seconds}). */
  public static final String RETRAIN_DURATION = "compactor.retrain.duration";
  /** Gauge: training loss of the last epoch any job reported (Prometheus {@code compactor_retrain_loss}). */
  public static final String RETRAIN_LOSS = "compactor.retrain.loss";
  /**
   * Timer of the time a retraining step waited for another job's training to finish (Prometheus
   * {@code compactor_retrain_lock_wait_seconds}): the JVM has one gradient collector, so trainings take turns.
   */
  public static final String RETRAIN_LOCK_WAIT = "compactor.retrain.lock.wait";
  private final MeterRegistry registry;
  private final AtomicLong lossBits = new AtomicLong(Double.doubleToLongBits(Double.NaN));
  private final Timer retrainDuration;
  private final Timer retrainLockWait;

  /** @param registry where the timers live */
  public StepMetrics(MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
    // registered up front so dashboards find both before the first retraining; the gauge holds its state
    // strongly because the registry may outlive this object (a chain per job in tools and tests), and a gauge
    // whose state was collected reads NaN
    Gauge.builder(RETRAIN_LOSS, lossBits, b -> Double.longBitsToDouble(b.get())).strongReference(true)
        .description("Training loss of the last retraining epoch reported").register(registry);
    retrainDuration = Timer.builder(RETRAIN_DURATION).description("Training time of one retraining step")
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofSeconds(1))
        .maximumExpectedValue(Duration.ofHours(2)).register(registry);
    retrainLockWait = Timer.builder(RETRAIN_LOCK_WAIT)
        .description("Time a retraining step waited for another job's training (one gradient collector per JVM)")
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofHours(2)).register(registry);
  }

  /**
   * @param took training time of one retraining step, without waiting for the training lock
   * @param waited the time it waited for the lock first
   */
  public void retrained(Duration took, Duration waited) {
    retrainDuration.record(took);
    retrainLockWait.record(waited);
  }

  /** @param loss the training loss of an epoch just finished */
  public void loss(double loss) {
    lossBits.set(Double.doubleToLongBits(loss));
  }

  /**
   * @param capability e.g. {@code sparsity.2of4}
   * @param provider {@code <bundle> <version>}
   * @param outcome {@code completed}, {@code failed} or {@code cancelled}
   * @param took the step's wall time
   */
  public void record(String capability, String provider, String outcome, Duration took) {
    Timer.builder(DURATION).description("Wall time of one compression step")
        .tag("capability", capability).tag("provider", provider).tag("outcome", outcome)
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(10)).maximumExpectedValue(Duration.ofHours(1))
        .register(registry).record(took);
  }
}
