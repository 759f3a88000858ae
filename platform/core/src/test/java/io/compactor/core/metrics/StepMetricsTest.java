package io.compactor.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.ref.WeakReference;
import org.junit.jupiter.api.Test;

class StepMetricsTest {

  @Test
  void theLossGaugeKeepsItsValueAfterTheMetricsObjectIsGone() throws InterruptedException {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    StepMetrics metrics = new StepMetrics(registry);
    metrics.loss(0.25);
    WeakReference<StepMetrics> gone = new WeakReference<>(metrics);
    metrics = null;
    for (int i = 0; i < 50 && gone.get() != null; i++) {
      System.gc();
      Thread.sleep(10);
    }
    assertNull(gone.get(), "the collector did not run; the test proves nothing");
    System.gc();
    assertEquals(0.25, registry.get(StepMetrics.RETRAIN_LOSS).gauge().value());
  }
}
