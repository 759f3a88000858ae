package io.compactor.bundle.retraindistill.training;

import ai.djl.training.tracker.Tracker;

/**
 * The step size over a run: a linear warm-up over the first tenth of the steps, then a cosine decay to 1 % of
 * the peak at the last configured step. Fine-tuning a compressed model starts close to a good point: Adam's
 * first steps move every parameter by about the full step size whatever its gradient, which knocks int8
 * weights across grid points and shifts activation grids before the moments settle; the warm-up avoids that,
 * and the decay lets the last epochs settle on the grid.
 */
final class LearningRate {
  private LearningRate() {}

  /**
   * @param peak the configured learning rate
   * @param totalSteps optimizer steps of the configured epochs, at least 1
   * @return the schedule; Adam counts steps per parameter from 1
   */
  static Tracker warmUpCosine(double peak, int totalSteps) {
    int total = Math.max(1, totalSteps);
    int warm = Math.max(1, total / 10);
    return step -> {
      int n = Math.max(1, step);
      double rate;
      if (n <= warm) {
        rate = peak * n / warm;
      } else {
        double progress = Math.min(1.0, (double) (n - warm) / Math.max(1, total - warm));
        rate = peak * Math.max(0.01, 0.5 * (1 + Math.cos(Math.PI * progress)));
      }
      return (float) rate;
    };
  }
}
