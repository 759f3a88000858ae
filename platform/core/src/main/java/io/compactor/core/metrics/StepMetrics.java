package io.compactor.core.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Objects;

/** Compression steps: how long each capability's provider took, and how it ended. */
public final class StepMetrics {
  /** Timer tagged {@code capability}, {@code provider} (bundle and version) and {@code outcome}. */
  public static final String DURATION = "compactor.step.duration";
  private final MeterRegistry registry;

  /** @param registry where the timers live */
  public StepMetrics(MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
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
