package io.compactor.bundle.retraindistill.training;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The activation scales' step follows the learning rate, up to 0.1 % per step. */
class DistillSettingsTest {
  @Test
  void theScaleStepIsTheRelativeRateTimesTheLearningRateAtMostAThousandth() {
    assertEquals(1e-3, DistillSettings.of(3, 1e-4, 32, 5, 1, 0.1).scaleStep(), 1e-12, "MiniLM's 1e-4: 10 x");
    assertEquals(1e-4, DistillSettings.of(3, 1e-5, 32, 5, 1, 0.1).scaleStep(), 1e-12);
    assertEquals(DistillSettings.MAX_SCALE_STEP, DistillSettings.of(3, 2e-3, 128, 5, 1, 0).scaleStep(), 1e-12,
        "a CNN's 2e-3 would be 2 % per step");
    assertEquals(6e-4, DistillSettings.of(3, 2e-3, 128, 5, 1, 0).withScaleRate(0.3).scaleStep(), 1e-12);
  }
}
