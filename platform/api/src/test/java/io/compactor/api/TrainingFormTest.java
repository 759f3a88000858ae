package io.compactor.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.api.testing.SimpleStepContext;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.runtime.Dataset;
import io.compactor.onnx.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training form's parts, the training data by index, and the shared layer-step skeleton. */
class TrainingFormTest {
  @TempDir Path dir;

  @Test
  void aMaskHoldsTheZerosAndRestoresThemAfterAnUpdate() {
    WeightMask m = WeightMask.ofZeros("fc", "fc.w", Tensor.ofFloats(new long[] {2, 4}, 1, 0, 0, 2, 0, 3, 4, 0));
    assertEquals(4, m.count());
    float[] trained = {1.1f, 0.2f, -0.1f, 2.1f, 0.3f, 3.1f, 4.1f, 0.4f};
    assertEquals(1, m.firstViolation(trained));
    m.apply(trained);
    assertEquals(-1, m.firstViolation(trained));
    assertEquals(0f, trained[7]);
    assertEquals(1.1f, trained[0]);
    assertThrows(IllegalArgumentException.class, () -> m.apply(new float[7]));
  }

  @Test
  void aGridAndAFormRefuseWhatTheExportCouldNotRebuild() {
    assertThrows(IllegalArgumentException.class, () -> new WeightGrid(-1, new double[] {0.1, 0.2}, 127));
    assertThrows(IllegalArgumentException.class, () -> new WeightGrid(0, new double[] {0.1, 0}, 127));
    assertThrows(IllegalArgumentException.class, () -> new WeightGrid(-1, new double[] {0.1}, 128));
    WeightGrid g = new WeightGrid(0, new double[] {0.1, 0.2}, 64);
    assertEquals(0.2, g.scale(1));
    assertTrue(g.perChannel());

    OnnxModel model = OnnxModel.create("m", 13);
    TrainingForm form = TrainingForm.of(model)
        .withMasks(List.of(WeightMask.ofZeros("b", "b.w", Tensor.ofFloats(new long[] {2}, 0, 1))))
        .withQuantization(List.of(new LayerQuantization("a", "a.w", g,
            new ActivationQuant("x", "q", "dq", "x_scale", "x_zero_point", false), true)));
    assertTrue(form.quantized());
    assertEquals(List.of("b", "a"), form.compressed(), "in the order steps declared them");
    assertEquals(form.masks(), form.withModel(model.copy()).masks());
    assertFalse(TrainingForm.of(model).quantized());
  }

  @Test
  void trainingDataIsReadByIndexWithItsLabels() {
    Dataset d = new Dataset("d", Map.of("x", Tensor.ofFloats(new long[] {3, 2}, 0, 1, 10, 11, 20, 21)),
        Tensor.ofInt64s(new long[] {3}, 7, 8, 9));
    TrainingData t = TrainingData.of(d);
    assertEquals(3, t.size());
    assertTrue(t.hasLabels());
    Tensor x = t.inputs(new int[] {2, 0}).get("x");
    assertEquals(List.of(2L, 2L), List.of(x.shape()[0], x.shape()[1]));
    assertEquals(20f, x.floats()[0]);
    assertEquals(1f, x.floats()[3]);
    assertEquals(9L, t.labels(new int[] {2, 0}).orElseThrow().int64s()[0]);
    assertThrows(IndexOutOfBoundsException.class, () -> t.inputs(new int[] {3}));
  }

  @Test
  void theSkeletonReportsInTaskOrderAndNamesTheLayerOfAFailure() {
    OnnxModel model = OnnxModel.create("m", 13);
    Dataset d = new Dataset("d", Map.of("x", Tensor.ofFloats(new long[] {1, 1}, 0)), null);
    SimpleStepContext ctx = new SimpleStepContext(model, List.of(task("a"), task("b"), task("c")), d, dir, 1);
    LayerProgress p = new LayerProgress(ctx, "sparsity.test");
    p.finish("b", Map.of("sparsity", 0.5));
    assertEquals(List.of(), ctx.progressReports(), "b waits for a");
    p.skip("a", "dense", "too small");
    assertEquals(List.of("1/3 a", "2/3 b"), ctx.progressReports());
    assertEquals(List.of("a: left dense, too small"), ctx.warnings());
    p.start("c");
    StepException e = assertThrows(StepException.class, () -> p.guard("solving", () -> {
      throw new ArithmeticException("singular");
    }));
    assertEquals("c", e.layer().orElseThrow());
    assertEquals("sparsity.test on c: solving: singular", e.getMessage());
    p.finishAll();
    assertEquals("3/3 c", ctx.progressReports().get(2));
    assertEquals("skipped", p.results().get(0).metrics().get("status"));
    assertEquals(0.5, p.results().get(1).metrics().get("sparsity"));
  }

  private static LayerTask task(String node) {
    return new LayerTask(node, "MatMul", Settings.EMPTY);
  }
}
