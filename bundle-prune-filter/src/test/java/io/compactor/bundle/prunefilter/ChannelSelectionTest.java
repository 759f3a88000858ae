package io.compactor.bundle.prunefilter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ChannelSelectionTest {
  private static final double TOLERANCE = 1e-12;

  @Test
  void keptCountsFollowAmctsWorkedExamples() {
    assertEquals(15, ChannelSelection.keptCount(20, 0.25, false));
    assertEquals(16, ChannelSelection.keptCount(20, 0.25, true));
    assertEquals(45, ChannelSelection.keptCount(64, 0.3, false));
    assertEquals(48, ChannelSelection.keptCount(64, 0.3, true));
    assertEquals(12, ChannelSelection.keptCount(24, 0.5, false));
    assertEquals(16, ChannelSelection.keptCount(24, 0.5, true));
  }

  @Test
  void keptCountsRoundHalfUpAndStayWithinOneAndC() {
    assertEquals(7, ChannelSelection.keptCount(10, 0.25, false), "2.5 removed rounds up to 3");
    assertEquals(8, ChannelSelection.keptCount(8, 0.5, true), "alignment to 16 is clamped to C");
    assertEquals(1, ChannelSelection.keptCount(2, 0.9, false));
  }

  @Test
  void theLowestScoresGoAndEqualScoresKeepTheLowerIndex() {
    assertArrayEquals(new int[] {1, 3}, ChannelSelection.removed(new double[] {0.5, 0.1, 0.9, 0.2}, 2));
    assertArrayEquals(new int[] {2, 3}, ChannelSelection.removed(new double[] {0.3, 0.3, 0.3, 0.3}, 2));
  }

  @Test
  void aGroupReadByAGroupedConvolutionKeepsAMultipleOfItsGroupsAndLosesAsManyChannelsInEach() {
    assertEquals(6, ChannelSelection.keptCount(8, 0.3, false, 2));
    assertEquals(8, ChannelSelection.keptCount(12, 0.25, false, 4), "9 kept rounds down to 8");
    assertEquals(4, ChannelSelection.keptCount(8, 0.9, false, 4), "at least one channel per group");
    double[] scores = {0.1, 0.2, 0.3, 0.9, 0.8, 0.85, 0.95, 0.99};
    assertArrayEquals(new int[] {0, 1, 2, 4}, ChannelSelection.removed(scores, 4), "unbalanced");
    assertArrayEquals(new int[] {0, 1, 4, 5}, ChannelSelection.removed(scores, 4, 2), "balanced over 2 groups");
  }

  @Test
  void aMergedGroupScoresEachChannelByTheSumOfItsProducersNormalizedNorms() {
    OnnxModel m = PruneModels.residual(1);
    Graph g = m.graph();
    // c1's filter norms rank channel 0 lowest, c3's rank channel 0 highest; at 1000 times the scale c3 would
    // dominate a sum of raw norms, but after normalization both count the same
    g.setInitializer("c1.w", filters(8, 27, new float[] {0, 1, 2, 3, 4, 5, 6, 7}, 1f));
    g.setInitializer("c3.w", filters(8, 72, new float[] {7, 0, 1, 2, 3, 4, 5, 6}, 1000f));
    ChannelGroup merged = ChannelPropagation.analyse(m).get(0);
    double[] s = ChannelSelection.scores(g, merged);
    assertEquals(0 / 7.0 + 7 / 7.0, s[0], TOLERANCE);
    assertEquals(1 / 7.0 + 0 / 7.0, s[1], TOLERANCE);
    assertEquals(7 / 7.0 + 6 / 7.0, s[7], TOLERANCE);
  }

  /** @return a [filters, per] conv weight (reshaped to 4-D later by ONNX semantics) whose filter f is level[f] */
  private static Tensor filters(int count, int per, float[] level, float scale) {
    float[] v = new float[count * per];
    for (int f = 0; f < count; f++) {
      for (int i = 0; i < per; i++) {
        v[f * per + i] = level[f] * scale;
      }
    }
    long[] shape = per == 27 ? new long[] {count, 3, 3, 3} : new long[] {count, 8, 3, 3};
    return Tensor.ofFloats(shape, v);
  }
}
