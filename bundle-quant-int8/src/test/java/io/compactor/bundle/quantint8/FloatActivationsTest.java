package io.compactor.bundle.quantint8;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.api.Int8Keys;
import io.compactor.api.StepResult;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.runtime.Dataset;
import io.compactor.onnx.runtime.Evaluation;
import io.compactor.onnx.runtime.ModelSession;
import io.compactor.onnx.tensor.ElementType;
import io.compactor.onnx.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code float_activations}: the named activations get no quantization; the layers reading them keep INT8 weights. */
class FloatActivationsTest {
  private static final List<String> LAYERS = List.of("q", "gate", "ffn", "out");
  @TempDir Path work;

  private static Tensor run(OnnxModel m, Dataset data) {
    try (ModelSession s = ModelSession.open(m)) {
      return Evaluation.runAll(s, data, 16).get("y");
    }
  }

  @Test
  void aNamedActivationStaysFloatAndItsReaderIsWeightOnly() {
    OnnxModel model = Int8Models.block(3);
    Dataset data = Int8Models.blockData(3, 48);
    StepResult r = new QuantInt8Method().apply(Int8Models.context(model, LAYERS,
        Map.of(Int8Keys.FLOAT_ACTIVATIONS.name(), Int8Keys.joinNames(List.of("act.out", "x"))), data, work));
    Graph g = model.graph();
    assertEquals("act.out", g.node("ffn").orElseThrow().input(0), "no fake quantization in front of ffn");
    assertEquals("x", g.node("q").orElseThrow().input(0), "nor in front of the layers reading x");
    assertTrue(g.consumers("act.out").stream().noneMatch(n -> n.opType().equals("QuantizeLinear")));
    assertEquals("static", r.layers().stream().filter(l -> l.node().equals("out")).findFirst().orElseThrow()
        .metrics().get("activation"), "the other layers quantize their inputs as usual");
    assertFalse(r.form().orElseThrow().quantization().get("ffn").activation().quantized());
    OnnxModel deploy = Int8Models.deploy(r);
    Node ffn = deploy.graph().node("ffn").orElseThrow();
    assertEquals("act.out", ffn.input(0));
    Node weight = deploy.graph().producer(ffn.input(1)).orElseThrow();
    assertEquals("DequantizeLinear", weight.opType(), "the weight stays int8");
    assertEquals(ElementType.INT8.onnxCode(), deploy.graph().initializerTypeCode(weight.input(0)));
    assertTrue(Evaluation.fidelity(run(Int8Models.block(3), data), run(deploy, data)).meanCosine() > 0.99);
  }
}
