package io.compactor.core.tune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class WeightOpsTest {
  private static final double INT8_TOLERANCE = 0.01;

  private static float[] random(int n, long seed) {
    Random r = new Random(seed);
    float[] w = new float[n];
    for (int i = 0; i < n; i++) {
      w[i] = (float) r.nextGaussian();
    }
    return w;
  }

  @Test
  void twoOfFourKeepsTheTwoLargestOfEveryFourAlongTheInputAxis() {
    long[] dims = {3, 8, 2, 2};   // Conv [Cout, Cin, kh, kw]: groups run along Cin
    float[] w = random(3 * 8 * 4, 1);
    float[] out = WeightOps.twoOfFour(w, dims, 1);
    for (int o = 0; o < 3; o++) {
      for (int k = 0; k < 4; k++) {
        for (int g = 0; g < 8; g += 4) {
          int zeros = 0;
          float smallestKept = Float.MAX_VALUE;
          float largestDropped = 0;
          for (int j = 0; j < 4; j++) {
            int i = (o * 8 + g + j) * 4 + k;
            if (out[i] == 0) {
              zeros++;
              largestDropped = Math.max(largestDropped, Math.abs(w[i]));
            } else {
              assertEquals(w[i], out[i]);
              smallestKept = Math.min(smallestKept, Math.abs(w[i]));
            }
          }
          assertEquals(2, zeros);
          assertTrue(largestDropped <= smallestKept);
        }
      }
    }
  }

  @Test
  void filterPruningZeroesTheLowestNormChannelsOnly() {
    long[] dims = {4, 2};
    float[] w = {5, 5, 0.1f, 0.1f, 3, 3, 0.2f, 0.2f};
    int[] removed = WeightOps.lowest(WeightOps.channelNorms(w, dims, 0), 0.5);
    java.util.Arrays.sort(removed);
    assertArrayEquals(new int[] {1, 3}, removed);
    assertArrayEquals(new float[] {5, 5, 0, 0, 3, 3, 0, 0}, WeightOps.zeroChannels(w, dims, 0, removed));
    assertEquals(3, WeightOps.lowest(new double[] {1, 2, 3, 4}, 0.99).length, "one channel always stays");
  }

  @Test
  void int8RoundingIsCloseAndUsesOneScalePerChannel() {
    long[] dims = {2, 64};
    float[] w = random(128, 2);
    for (int i = 64; i < 128; i++) {
      w[i] *= 100;   // a channel a hundred times larger must not coarsen the first one's grid
    }
    float[] q = WeightOps.int8(w, dims, 0);
    assertTrue(WeightOps.relativeError(w, q) < INT8_TOLERANCE, "error " + WeightOps.relativeError(w, q));
    float[] first = java.util.Arrays.copyOf(w, 64);
    float[] firstQ = java.util.Arrays.copyOf(q, 64);
    assertTrue(WeightOps.relativeError(first, firstQ) < INT8_TOLERANCE);
    assertTrue(WeightOps.relativeError(w, w) == 0);
  }
}
