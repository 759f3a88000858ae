package io.compactor.bundle.quantint8;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.api.CompressionMethod;
import io.compactor.api.Eligibility;
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

class QuantInt8MethodTest extends CompressionMethodContract {
  @TempDir Path work;

  @Override
  protected CompressionMethod method() {
    return new QuantInt8Method();
  }

  @Override
  protected List<Operator> eligibleOperators() {
    return List.of(
        operator("Conv", new long[] {8, 8, 3, 3}, n -> {}),
        operator("Conv", new long[] {8, 1, 3, 3}, n -> n.setAttr("group", 8L)),
        operator("ConvTranspose", new long[] {8, 4, 3, 3}, n -> {}),
        operator("Gemm", new long[] {4, 8}, n -> n.setAttr("transB", 1L)),
        operator("MatMul", new long[] {8, 4}, n -> {}));
  }

  @Override
  protected List<Operator> ineligibleOperators() {
    return List.of(
        operatorWithRuntimeWeight("MatMul"),
        operatorWithRuntimeWeight("Conv"),
        operator("Gemm", new long[] {8}, n -> {}),
        operator("Relu", new long[] {8, 8}, n -> {}));
  }

  @Test
  void anAlreadyQuantizedWeightIsRefusedWithItsType() {
    Operator op = operator("MatMul", new long[] {8, 4}, n -> {});
    op.model().graph().setInitializer("w", Tensor.ofInt8s(new long[] {8, 4}, new byte[32]));
    Eligibility e = method().eligibility(op.model().graph(), op.op());
    assertEquals("weight w is INT8, not FLOAT; the operator is already quantized or not a float layer", e.reason());
  }

  @Test
  void applySaysWhichIssueBringsTheAlgorithm() {
    Operator op = eligibleOperators().get(0);
    Dataset data = new Dataset("test", Map.of("x", Tensor.ofFloats(new long[] {1, 8}, new float[8])), null);
    var context = new SimpleStepContext(op.model(), List.of(new LayerTask("op", "Conv", Settings.EMPTY)), data,
        work, 1);
    StepException e = assertThrows(StepException.class, () -> method().apply(context));
    assertEquals("quant.int8", e.capability());
    assertTrue(e.getMessage().contains("issue #8"), e.getMessage());
  }
}
