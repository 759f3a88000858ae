package io.compactor.bundle.magnitude2of4;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.api.CompressionMethod;
import io.compactor.api.LayerTask;
import io.compactor.api.Settings;
import io.compactor.api.StepResult;
import io.compactor.api.testing.CompressionMethodContract;
import io.compactor.api.testing.SimpleStepContext;
import io.compactor.onnx.runtime.Dataset;
import io.compactor.onnx.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example passes the same contract kit as the built-in bundles, and really sparsifies. */
class MagnitudeTwoOfFourTest extends CompressionMethodContract {
  @TempDir Path work;

  @Override
  protected CompressionMethod method() {
    return new MagnitudeTwoOfFour();
  }

  @Override
  protected List<Operator> eligibleOperators() {
    return List.of(
        operator("MatMul", new long[] {8, 4}, n -> {}),
        operator("Gemm", new long[] {3, 8}, n -> n.setAttr("transB", 1L)),
        operator("Conv", new long[] {2, 8, 3, 3}, n -> {}));
  }

  @Override
  protected List<Operator> ineligibleOperators() {
    return List.of(
        operator("MatMul", new long[] {6, 4}, n -> {}),
        operator("Conv", new long[] {8, 1, 3, 3}, n -> n.setAttr("group", 8L)),
        operatorWithRuntimeWeight("MatMul"));
  }

  @Test
  void zeroesTheTwoSmallestOfEveryFourInputChannels() {
    Operator op = operator("MatMul", new long[] {8, 4}, n -> {});
    float[] before = op.model().graph().initializer("w").orElseThrow().floats();
    Dataset data = new Dataset("test", Map.of("x", Tensor.ofFloats(new long[] {1, 8}, new float[8])), null);
    var context = new SimpleStepContext(op.model(), List.of(new LayerTask("op", "MatMul", Settings.EMPTY)), data,
        work, 1);

    StepResult result = method().apply(context);

    float[] after = op.model().graph().initializer("w").orElseThrow().floats();
    for (int n = 0; n < 4; n++) {
      for (int g = 0; g < 8; g += 4) {
        int zeros = 0;
        float smallestKept = Float.MAX_VALUE;
        float largestDropped = 0;
        for (int k = g; k < g + 4; k++) {
          int i = k * 4 + n;
          if (after[i] == 0f) {
            zeros++;
            largestDropped = Math.max(largestDropped, Math.abs(before[i]));
          } else {
            assertEquals(before[i], after[i], "kept weights are unchanged");
            smallestKept = Math.min(smallestKept, Math.abs(before[i]));
          }
        }
        assertEquals(2, zeros, "group of column " + n + " at row " + g);
        assertTrue(largestDropped <= smallestKept, "the two smallest magnitudes are dropped");
      }
    }
    assertEquals(0.5, (double) result.layers().get(0).metrics().get("sparsity"));
    assertEquals(List.of("1/1 op"), context.progressReports());
  }
}
