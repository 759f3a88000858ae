package io.compactor.core.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.compactor.onnx.fixtures.TestModels;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.graph.ValueInfo;
import io.compactor.onnx.runtime.ModelSession;
import io.compactor.onnx.tensor.ElementType;
import io.compactor.onnx.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The INT8 island the latency objective times, on the residual CNN and a biased MatMul in real ONNX Runtime. */
class Int8IslandTest {
  private static final Operator CONV1 = new Operator("conv1", "Conv", 72, true, true, true);
  private static final Operator FC = new Operator("fc", "Gemm", 24, true, false, true);

  /** @return the initializer a DequantizeLinear producing {@code value} reads */
  private static Tensor codes(Graph g, String value) {
    return g.initializer(g.producer(value).orElseThrow().input(0)).orElseThrow();
  }

  private static String producerType(Graph g, String value) {
    return g.producer(value).map(Node::opType).orElse("none");
  }

  @Test
  void onlyTheOperatorTakesTheBundlesQdqFormAndTheModelStillRuns() {
    OnnxModel model = TestModels.residualCnn(7, false);
    OnnxModel island = Int8Island.of(model, CONV1).orElseThrow();
    Graph g = island.graph();
    Node conv1 = g.node("conv1").orElseThrow();

    // input, weight and bias read through DequantizeLinear; the input quantized just before
    for (int i = 0; i < 3; i++) {
      assertEquals("DequantizeLinear", producerType(g, conv1.input(i)), "input " + i);
    }
    Node inputDq = g.producer(conv1.input(0)).orElseThrow();
    assertEquals("QuantizeLinear", producerType(g, inputDq.input(0)));
    assertEquals(ElementType.INT8, codes(g, conv1.input(1)).type());
    assertEquals(ElementType.INT32, codes(g, conv1.input(2)).type());
    // the BatchNormalization behind it is gone (the bundle folds it), and the output is quantized past the Relu,
    // for every reader: ONNX Runtime can fuse the layer with its output quantization
    assertTrue(g.nodes().stream().noneMatch(n -> n.opType().equals("BatchNormalization")));
    assertEquals("Relu", g.consumers(conv1.output(0)).get(0).opType());
    for (Node reader : List.of(g.node("conv2").orElseThrow(), g.node("add").orElseThrow())) {
      String in = reader.opType().equals("Add") ? reader.input(1) : reader.input(0);
      Node dq = g.producer(in).orElseThrow();
      assertEquals("DequantizeLinear", dq.opType(), reader.name());
      assertEquals("QuantizeLinear", producerType(g, dq.input(0)), reader.name());
    }
    // nothing else changed: the other operators keep their float weights, the original is untouched
    assertEquals(ElementType.FLOAT, g.initializer(g.node("conv2").orElseThrow().input(1)).orElseThrow().type());
    assertEquals(2, g.nodes().stream().filter(n -> n.opType().equals("QuantizeLinear")).count());
    assertTrue(model.graph().node("bn").isPresent());
    assertFalse(model.graph().nodes().stream().anyMatch(n -> n.opType().equals("QuantizeLinear")));

    Tensor images = TestModels.images(3, 4);
    try (ModelSession s = ModelSession.open(island)) {
      Tensor logits = s.run(Map.of("image", images)).get("logits");
      assertEquals(List.of(4L, 3L), List.of(logits.dim(0), logits.dim(1)));
      for (float v : logits.toFloats()) {
        assertTrue(Float.isFinite(v));
      }
    }
  }

  @Test
  void aGemmWhoseOutputIsTheGraphOutputIsQuantizedOnTheInputSideOnly() {
    OnnxModel island = Int8Island.of(TestModels.residualCnn(7, false), FC).orElseThrow();
    Graph g = island.graph();
    Node fc = g.node("fc").orElseThrow();
    assertEquals("DequantizeLinear", producerType(g, fc.input(0)));
    assertEquals("DequantizeLinear", producerType(g, fc.input(1)));
    assertEquals("logits", fc.output(0));
    assertEquals(1, g.nodes().stream().filter(n -> n.opType().equals("QuantizeLinear")).count());
    try (ModelSession s = ModelSession.open(island)) {
      assertEquals(2, s.run(Map.of("image", TestModels.images(3, 2))).get("logits").rank());
    }
  }

  @Test
  void aMatMulFeedingABiasTakesTheExportsIntegerFormWhichOnnxRuntimeRunsAsOneNode(@TempDir Path dir)
      throws Exception {
    Random rnd = new Random(31);
    OnnxModel model = OnnxModel.create("projection", 13);
    Graph g = model.graph();
    g.addInput(ValueInfo.of("x", ElementType.FLOAT, ValueInfo.UNKNOWN_DIM, 8));
    g.setInitializer("w", TestModels.gaussian(rnd, 0.5f, 8, 4));
    g.setInitializer("b", TestModels.gaussian(rnd, 0.5f, 4));
    TestModels.node(g, "MatMul", "mm", List.of("x", "w"), "mm.out", n -> {});
    TestModels.node(g, "Add", "bias", List.of("b", "mm.out"), "h", n -> {});   // bias first, as PyTorch exports it
    TestModels.node(g, "Relu", "relu", List.of("h"), "y", n -> {});
    g.addOutput(ValueInfo.named("y"));

    OnnxModel island = Int8Island.of(model, new Operator("mm", "MatMul", 32, true, false, true)).orElseThrow();
    Graph i = island.graph();
    Node mm = i.node("mm").orElseThrow();
    assertEquals("MatMulInteger", mm.opType());
    assertEquals("QuantizeLinear", producerType(i, mm.input(0)));
    assertEquals(ElementType.INT8, i.initializer(mm.input(1)).orElseThrow().type());
    assertEquals(1, i.nodes().stream().filter(n -> n.opType().equals("QuantizeLinear")).count(),
        "the output stays float, as in the export");

    // what ONNX Runtime runs: one MatMulIntegerToFloat that holds the bias, no Add of its own
    Path optimized = dir.resolve("optimized.onnx");
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setOptimizedModelFilePath(optimized.toString());
      OrtEnvironment.getEnvironment().createSession(island.toBytes(), options).close();
    }
    Graph o = OnnxModel.load(optimized).graph();
    Node fused = o.producer("h").orElseThrow();
    assertEquals("MatMulIntegerToFloat", fused.opType());
    assertEquals("b", fused.input(fused.inputs().size() - 1));
  }

  @Test
  void anEmbeddingTableHasNoIsland() {
    Operator table = new Operator("gather", "Gather", 100, false, false, true);
    assertTrue(Int8Island.of(TestModels.residualCnn(7, false), table).isEmpty());
  }

  @Test
  void theLatencySignalTimesEveryInt8OperatorsIslandAgainstTheOriginal() {
    OnnxModel model = TestModels.residualCnn(7, false);
    List<String> timedModels = new ArrayList<>();
    // the measurement is the one thing replaced: it answers by which operator reads an int8 weight
    LatencyMeter meter = (m, reference) -> {
      assertEquals(model, reference);
      String int8 = m.graph().nodes().stream().filter(n -> n.inputs().size() > 1 && m.graph().producer(n.input(1))
          .map(p -> p.opType().equals("DequantizeLinear")).orElse(false)).map(Node::name).findFirst().orElseThrow();
      timedModels.add(int8);
      return int8.equals("conv2") ? 0.8 : 1.25;
    };
    List<Operator> ops = List.of(CONV1, new Operator("conv2", "Conv", 576, true, true, true), FC,
        new Operator("conv3", "Conv", 8, false, true, false));

    List<LatencySignal.Timing> t = LatencySignal.int8(model, ops, meter, 10.0, TuneListener.NONE);

    assertEquals(List.of("conv1", "conv2", "fc"), t.stream().map(x -> x.nodes().get(0)).toList(),
        "every INT8-capable operator once, in order; conv3 cannot take INT8");
    assertEquals(List.of("conv1", "conv2", "conv2", "fc"), timedModels, "a faster reading is timed twice");
    LatencySignal.Timing conv2 = t.get(1);
    assertTrue(conv2.faster());
    assertEquals(0.8, conv2.ratio(), 1e-12);
    assertEquals(2.0, conv2.savedMs(), 1e-9, "on the baseline's scale");
    assertEquals(-2.5, t.get(0).savedMs(), 1e-9);
    assertEquals(LatencySignal.Source.INT8_ISLAND, conv2.source());
    assertEquals(conv2, LatencySignal.find(t, List.of("conv2"), Choice.NONE.withQuant(Choice.Quant.STATIC))
        .orElseThrow());
  }

  @Test
  void theRealMeterTimesTwoModelsInTurnsAndAnswersTheirRatio() {
    OnnxModel model = TestModels.residualCnn(7, false);
    double r = LatencyMeter.inTurns(Map.of("image", TestModels.images(1, 16))).ratio(model.copy(), model);
    assertTrue(r > 0 && Double.isFinite(r), String.valueOf(r));
  }
}
