package io.compactor.core.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class QualityTest {
  @Test
  void withTwoClassesTheDropsStandardErrorIsThatOfThePerSampleDifferences() {
    Random r = new Random(3);
    for (int trial = 0; trial < 20; trial++) {
      int n = 200 + r.nextInt(2000);
      double[] d = new double[n];
      int originalRight = 0;
      int compressedRight = 0;
      int changed = 0;
      for (int i = 0; i < n; i++) {
        int label = r.nextInt(2);
        int original = r.nextDouble() < 0.97 ? label : 1 - label;
        int compressed = r.nextDouble() < 0.01 * (1 + trial % 5) ? 1 - original : original;
        originalRight += original == label ? 1 : 0;
        compressedRight += compressed == label ? 1 : 0;
        changed += original != compressed ? 1 : 0;
        d[i] = (original == label ? 1 : 0) - (compressed == label ? 1 : 0);
      }
      double mean = 0;
      for (double x : d) {
        mean += x / n;
      }
      double variance = 0;
      for (double x : d) {
        variance += (x - mean) * (x - mean) / n;
      }
      Quality q = new Quality(Optional.of(100.0 * (originalRight - compressedRight) / n), 0.99, n, changed);

      assertEquals(100 * Math.sqrt(variance / n), q.dropStandardError().orElseThrow(), 1e-9, "trial " + trial);
    }
  }

  @Test
  void withoutSampleCountsOrLabelsThereIsNoStandardError() {
    assertTrue(new Quality(Optional.of(0.4), 0.99).dropStandardError().isEmpty());
    assertTrue(new Quality(Optional.empty(), 0.99, 500, 3).dropStandardError().isEmpty());
    assertEquals(0, new Quality(Optional.of(0.0), 1.0, 500, 0).dropStandardError().orElseThrow(), 0);
  }
}
