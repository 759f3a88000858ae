package io.compactor.bundle.retraindistill.training;

import ai.djl.engine.Engine;
import java.util.Random;

/**
 * One seed for everything random in a run: libtorch's generator and the order of batches. With the same seed,
 * thread count and machine, a run is bit-identical (libtorch's CPU kernels are deterministic at a fixed thread
 * count).
 *
 * @param value the configured seed
 */
public record TrainingSeed(int value) {
  /** Seeds libtorch's generator for this process's engine. */
  public void seed(Engine engine) {
    engine.setRandomSeed(value);
  }

  /** @return a shuffled order of {@code n} samples for {@code epoch}, the same for the same seed and epoch */
  public int[] order(int n, int epoch) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Random r = new Random(((long) value << 32) ^ epoch);
    for (int i = n - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }
}
