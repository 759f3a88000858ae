package io.compactor.onnx.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.onnx.ModelException;
import io.compactor.onnx.fixtures.TestModels;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.graph.ValueInfo;
import io.compactor.onnx.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ActivationCaptureTest {
  private static final Dataset DATA = new Dataset("images", Map.of("image", TestModels.images(21, 10)), null);

  /** The model cut after {@code value}: only what computes it remains. */
  private static OnnxModel prefix(OnnxModel model, String value) {
    OnnxModel cut = model.copy("prefix");
    Graph g = cut.graph();
    g.outputs().forEach(o -> g.removeOutput(o.name()));
    g.addOutput(ValueInfo.ofTypeCode(value, 1));
    g.removeUnused();
    return cut;
  }

  @Test
  void capturedValuesEqualThePrefixModelRunAlone() {
    OnnxModel model = TestModels.residualCnn(22, false);
    List<String> values = List.of("relu1.out", "add.out", "flat");
    Map<String, Tensor> captured = ActivationCapture.capture(model, values, DATA, 4);
    for (String v : values) {
      OnnxModel cut = prefix(model, v);
      assertTrue(cut.graph().nodes().size() < model.graph().nodes().size());
      Tensor alone;
      try (ModelSession s = ModelSession.open(cut, 1)) {
        alone = Evaluation.runAll(s, DATA, 4).get(v);
      }
      assertEquals(10, captured.get(v).dim(0));
      assertArrayEquals(alone.shape(), captured.get(v).shape(), v);
      Fidelity f = Evaluation.fidelity(alone, captured.get(v));
      assertTrue(f.maxAbsError() <= 1e-5, v + " differs by " + f.maxAbsError());
    }
    assertEquals(List.of("logits"), model.graph().outputs().stream().map(ValueInfo::name).toList());
  }

  @Test
  void streamingVisitsEveryBatchInOrder() {
    OnnxModel model = TestModels.residualCnn(23, false);
    List<int[]> ranges = new ArrayList<>();
    ActivationCapture.stream(model, List.of("image", "gap.out"), DATA, 3, (range, batch) -> {
      ranges.add(range);
      assertEquals(range[1] - range[0], batch.get("gap.out").dim(0));
      assertEquals(DATA.batch(range[0], range[1]).get("image"), batch.get("image"));
    });
    assertEquals(List.of("0-3", "3-6", "6-9", "9-10"), ranges.stream().map(r -> r[0] + "-" + r[1]).toList());
  }

  @Test
  void unknownValueIsNamed() {
    ModelException e = assertThrows(ModelException.class,
        () -> ActivationCapture.capture(TestModels.residualCnn(24, false), List.of("nope"), DATA, 4));
    assertTrue(e.getMessage().contains("nope") && e.getMessage().contains("no such value"), e.getMessage());
  }
}
