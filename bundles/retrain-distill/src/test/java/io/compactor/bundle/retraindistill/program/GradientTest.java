package io.compactor.bundle.retraindistill.program;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.tensor.Tensor;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A backward pass of a simple loss reaches every trainable initializer, through fake-quant too. */
class GradientTest {
  @Test
  void everyWeightOfAResNetGetsAGradient() {
    assertAllGradientsNonZero(BlockModels.resnet(), Map.of("x", ProgramModels.data(41, 2, 3, 16, 16)));
  }

  @Test
  void everyWeightOfTheOcrBlockGetsAGradient() {
    assertAllGradientsNonZero(BlockModels.ocrClassifier(), Map.of("x", ProgramModels.data(42, 4, 3, 16, 32)));
  }

  @Test
  void gradientsPassStraightThroughFakeQuantToTheWeightAndTheScale() {
    ProgramModels b = new ProgramModels("fake-quant weight", 13, 9);
    String x = b.input("x", -1, 6);
    String w = b.weight("w", 0.5f, 6, 4);
    String s = b.scalar("s", 0.05f);
    String zp = b.constant("zp", Tensor.ofInt8s(new long[0], (byte) 0));
    String wq = b.op("DequantizeLinear", b.op("QuantizeLinear", w, s, zp), s, zp);
    OnnxModel model = b.outputs(b.op("MatMul", x, wq));
    try (NDManager m = Equivalence.manager();
        DifferentiableProgram p = DifferentiableProgram.build(model, Set.of("w", "s"), m, ConverterRegistry.standard())) {
      backward(p, m, Map.of("x", ProgramModels.data(43, 5, 6)));
      assertTrue(p.parameters().get("w").getGradient().abs().sum().getFloat() > 0, "no gradient reached w");
      assertTrue(p.parameters().get("s").getGradient().abs().sum().getFloat() > 0, "no gradient reached the scale");
    }
  }

  @Test
  void shapeSubgraphsAreFoldedOnceAndReused() {
    ProgramModels b = new ProgramModels("folded reshape", 13, 10);
    String x = b.input("x", -1, 4, 3);
    String shape = b.op("Shape", x);
    String batch = b.op("Gather", n -> n.setAttr("axis", 0L), shape, b.constant("zero", Tensor.ofInt64s(new long[0], 0)));
    // Cast to its own type and a one-input Concat return their input: the same folded array under two names
    String same = b.op("Cast", n -> n.setAttr("to", 7L), b.op("Concat", n -> n.setAttr("axis", 0L), b.longs("rest", 12)));
    String dims = b.op("Concat", n -> n.setAttr("axis", 0L), b.op("Unsqueeze", batch, b.longs("ax", 0)), same);
    OnnxModel model = b.outputs(b.op("Gemm", n -> n.setAttr("transB", 1L), b.op("Reshape", x, dims),
        b.weight("w", 0.3f, 2, 12), b.weight("bias", 0.1f, 2)));
    try (NDManager m = Equivalence.manager();
        DifferentiableProgram p = DifferentiableProgram.build(model, Trainables.weights(model), m,
            ConverterRegistry.standard())) {
      assertEquals("8 nodes: 2 run per batch, 6 folded; 2 trainable initializers", p.describe());
      for (int batchSize : new int[] {3, 5, 3}) {
        Tensor in = ProgramModels.data(batchSize, batchSize, 4, 3);
        Map<String, Tensor> want = Equivalence.run(model, Map.of("x", in));
        try (NDManager scope = m.newSubManager()) {
          Map<String, NDArray> out = p.forward(scope, Map.of("x", NdTensors.toNd(scope, in)));
          Tensor got = NdTensors.toTensor(out.values().iterator().next());
          assertEquals(batchSize * 2, got.size());
          assertEquals(want.values().iterator().next(), got, "batch " + batchSize);
        }
      }
    }
  }

  private static void assertAllGradientsNonZero(OnnxModel model, Map<String, Tensor> feeds) {
    try (NDManager m = Equivalence.manager();
        DifferentiableProgram p = DifferentiableProgram.build(model, Trainables.weights(model), m,
            ConverterRegistry.standard())) {
      assertFalse(p.parameters().isEmpty());
      backward(p, m, feeds);
      p.parameters().forEach((name, value) -> assertTrue(value.getGradient().abs().sum().getFloat() > 0,
          model.source() + ": no gradient reached " + name));
    }
  }

  /** Loss: the mean square of every output. */
  private static void backward(DifferentiableProgram p, NDManager m, Map<String, Tensor> feeds) {
    try (NDManager scope = m.newSubManager();
        GradientCollector collector = m.getEngine().newGradientCollector()) {
      Map<String, NDArray> in = new HashMap<>();
      feeds.forEach((k, v) -> in.put(k, NdTensors.toNd(scope, v)));
      NDArray loss = null;
      for (NDArray out : p.forward(scope, in).values()) {
        NDArray l = out.square().mean();
        loss = loss == null ? l : loss.add(l);
      }
      collector.backward(loss);
    }
  }
}
