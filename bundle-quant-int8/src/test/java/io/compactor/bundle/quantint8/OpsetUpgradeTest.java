package io.compactor.bundle.quantint8;

import static io.compactor.onnx.fixtures.TestModels.node;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.graph.ValueInfo;
import io.compactor.onnx.runtime.ModelSession;
import io.compactor.onnx.tensor.ElementType;
import io.compactor.onnx.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OpsetUpgradeTest {
  /**
   * The tail of Paddle2ONNX exports at opset 9: {@code x [2,6]} → Clip(0, 4) → Clip(max 3 only) →
   * Slice(axes [1], starts [1], ends [5]) → Softmax(axis 1, the last) → {@code y [2,4]}.
   */
  private static OnnxModel paddleTail(ValueInfo input) {
    OnnxModel m = OnnxModel.create("opset9-tail", 9);
    Graph g = m.graph();
    g.addInput(input);
    node(g, "Clip", "clip", List.of("x"), "c", n -> {
      n.setAttr("min", 0f);
      n.setAttr("max", 4f);
    });
    node(g, "Clip", "cap", List.of("c"), "c2", n -> n.setAttr("max", 3f));
    node(g, "Slice", "slice", List.of("c2"), "s", n -> {
      n.setAttr("axes", new long[] {1});
      n.setAttr("starts", new long[] {1});
      n.setAttr("ends", new long[] {5});
    });
    node(g, "Softmax", "softmax", List.of("s"), "y", n -> n.setAttr("axis", 1L));
    g.addOutput(ValueInfo.of("y", ElementType.FLOAT, ValueInfo.UNKNOWN_DIM, 4));
    return m;
  }

  private static OnnxModel paddleTail() {
    return paddleTail(ValueInfo.of("x", ElementType.FLOAT, ValueInfo.UNKNOWN_DIM, 6));
  }

  private static float[] run(OnnxModel m, Tensor x) {
    try (ModelSession s = ModelSession.open(m)) {
      return s.run(Map.of("x", x)).get("y").toFloats();
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {10, 11, 13})
  void sliceClipAndLastAxisSoftmaxAreRewrittenWithTheSameOutputs(long target) {
    Random r = new Random(target);
    float[] v = new float[12];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (3 * r.nextGaussian());
    }
    Tensor x = Tensor.ofFloats(new long[] {2, 6}, v);
    OnnxModel m = paddleTail();
    float[] before = run(m, x);
    assertEquals(Optional.empty(), OpsetUpgrade.obstacle(m, target));
    OpsetUpgrade.apply(m, target);
    assertEquals(target, m.opset());
    assertArrayEquals(before, run(m, x), 1e-6f);
    Node slice = m.graph().node("slice").orElseThrow();
    assertEquals(4, slice.inputs().size());
    assertFalse(slice.hasAttribute("starts"));
    Node cap = m.graph().node("cap").orElseThrow();
    // Clip keeps its attributes below 11, where they still mean the same; from 11 on they are inputs
    assertEquals(target < 11, cap.hasAttribute("max"));
    assertEquals(target < 11 ? List.of("c") : List.of("c", "", "cap.max"), cap.inputs());
    assertEquals(target < 13 ? 1L : -1L, m.graph().node("softmax").orElseThrow().attrInt("axis", 0));
  }

  @Test
  void softmaxOverAnInnerAxisRefusesOpset13Only() {
    OnnxModel m = OnnxModel.create("inner-softmax", 9);
    Graph g = m.graph();
    g.addInput(ValueInfo.of("x", ElementType.FLOAT, 2, 3, 4));
    node(g, "Softmax", "sm", List.of("x"), "y", n -> n.setAttr("axis", 1L));
    g.addOutput(ValueInfo.named("y"));
    String why = OpsetUpgrade.obstacle(m, 13).orElseThrow();
    assertTrue(why.startsWith("Softmax 'sm' changed meaning between opset 9 and 13"), why);
    assertEquals(Optional.empty(), OpsetUpgrade.obstacle(m, 11));
  }

  @Test
  void clipOfAnInputOfUnknownTypeRefusesOpset11() {
    OnnxModel m = paddleTail(ValueInfo.named("x"));
    String why = OpsetUpgrade.obstacle(m, 13).orElseThrow();
    assertTrue(why.startsWith("Clip 'clip'") && why.contains("not known to be float"), why);
    assertEquals(Optional.empty(), OpsetUpgrade.obstacle(m, 10));
  }
}
