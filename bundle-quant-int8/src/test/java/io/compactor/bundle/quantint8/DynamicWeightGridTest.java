package io.compactor.bundle.quantint8;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.compactor.onnx.fixtures.TestModels;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.graph.ValueInfo;
import io.compactor.onnx.runtime.ModelSession;
import io.compactor.onnx.tensor.ElementType;
import io.compactor.onnx.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The dynamic weight grid's promise, checked in ONNX Runtime on the machine that runs the tests: uint8
 * activations times int8 weights within ±{@link QuantizedLayer#DYNAMIC_QMAX} give the exact integer product in
 * {@code MatMulInteger}, also where every adjacent pair of products is as large as the grid allows (the case
 * that saturates int16 in x86 kernels without VNNI when the codes reach ±127).
 */
class DynamicWeightGridTest {
  private static final int M = 8;
  private static final int K = 64;
  private static final int N = 16;

  @Test
  void matMulIntegerIsExactAtTheLimitsOfTheGrid() {
    int q = QuantizedLayer.DYNAMIC_QMAX;
    byte[] a = new byte[M * K];
    byte[] b = new byte[K * N];
    java.util.Arrays.fill(a, (byte) 255);
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) ((i / N) % 4 < 2 ? q : -q);   // pairs of +q, then pairs of -q along K
    }
    assertArrayEquals(exact(a, b), run(a, b), "largest activations times ±" + q);
    Random r = new Random(5);
    for (int i = 0; i < a.length; i++) {
      a[i] = (byte) r.nextInt(256);
    }
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) (r.nextInt(2 * q + 1) - q);
    }
    assertArrayEquals(exact(a, b), run(a, b), "random codes on the grid");
  }

  private static int[] exact(byte[] a, byte[] b) {
    int[] y = new int[M * N];
    for (int i = 0; i < M; i++) {
      for (int j = 0; j < N; j++) {
        for (int c = 0; c < K; c++) {
          y[i * N + j] += (a[i * K + c] & 0xff) * b[c * N + j];
        }
      }
    }
    return y;
  }

  /** Runs MatMulInteger with the weights as an initializer, as the deploy model has them. */
  private static int[] run(byte[] a, byte[] b) {
    OnnxModel model = OnnxModel.create("matmulinteger", 11);
    Graph g = model.graph();
    g.addInput(ValueInfo.of("a", ElementType.UINT8, M, K));
    g.setInitializer("b", Tensor.ofInt8s(new long[] {K, N}, b));
    g.setInitializer("a_zero_point", Tensor.ofUint8s(new long[0], (byte) 0));
    TestModels.node(g, "MatMulInteger", "mm", List.of("a", "b", "a_zero_point"), "y", n -> {});
    g.addOutput(ValueInfo.of("y", ElementType.INT32, M, N));
    try (ModelSession s = ModelSession.open(model)) {
      return s.run(Map.of("a", Tensor.ofUint8s(new long[] {M, K}, a))).get("y").int32s();
    }
  }
}
