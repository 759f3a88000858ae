package io.compactor.bundle.prunefilter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.api.CompressionMethod;
import io.compactor.api.LayerTask;
import io.compactor.api.Settings;
import io.compactor.api.StepException;
import io.compactor.api.testing.CompressionMethodContract;
import io.compactor.api.testing.SimpleStepContext;
import io.compactor.onnx.runtime.Dataset;
import io.compactor.onnx.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FilterPruneMethodTest extends CompressionMethodContract {
  @TempDir Path work;

  @Override
  protected CompressionMethod method() {
    return new FilterPruneMethod();
  }

  @Override
  protected List<Operator> eligibleOperators() {
    return List.of(
        operator("Conv", new long[] {16, 8, 3, 3}, n -> {}),
        operator("Conv", new long[] {16, 8, 1, 1}, n -> n.setAttr("group", 1L)),
        operator("Gemm", new long[] {4, 8}, n -> n.setAttr("transB", 1L)),
        operator("MatMul", new long[] {8, 4}, n -> {}));
  }

  @Override
  protected List<Operator> ineligibleOperators() {
    return List.of(
        operator("Conv", new long[] {8, 1, 3, 3}, n -> n.setAttr("group", 8L)),
        operator("Conv", new long[] {16, 8, 3}, n -> {}),
        operator("Conv", new long[] {1, 8, 3, 3}, n -> {}),
        operator("MatMul", new long[] {8, 4, 2}, n -> {}),
        operatorWithRuntimeWeight("Gemm"),
        operator("ConvTranspose", new long[] {8, 4, 3, 3}, n -> {}));
  }

  @Test
  void aDepthwiseConvolutionIsRefusedNamingTheGroup() {
    Operator op = ineligibleOperators().get(0);
    assertEquals("grouped or depthwise convolution (group = 8): its filters cannot be removed independently of "
        + "its input channels", method().eligibility(op.model().graph(), op.op()).reason());
  }

  @Test
  void gemmCountsFiltersAlongTheTransposedAxis() {
    Operator single = operator("Gemm", new long[] {1, 8}, n -> n.setAttr("transB", 1L));
    assertEquals("only 1 output channel; nothing to prune",
        method().eligibility(single.model().graph(), single.op()).reason());
  }

  @Test
  void applySaysWhichIssueBringsTheAlgorithm() {
    Operator op = eligibleOperators().get(0);
    Dataset data = new Dataset("test", Map.of("x", Tensor.ofFloats(new long[] {1, 8}, new float[8])), null);
    var context = new SimpleStepContext(op.model(), List.of(new LayerTask("op", "Conv", Settings.EMPTY)), data,
        work, 1);
    StepException e = assertThrows(StepException.class, () -> method().apply(context));
    assertEquals("sparsity.filter", e.capability());
    assertTrue(e.getMessage().contains("issue #7"), e.getMessage());
  }
}
