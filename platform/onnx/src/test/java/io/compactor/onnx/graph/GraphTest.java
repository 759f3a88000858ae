package io.compactor.onnx.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.onnx.ModelException;
import io.compactor.onnx.fixtures.TestModels;
import io.compactor.onnx.proto.OnnxProto.ModelProto;
import io.compactor.onnx.proto.OnnxProto.NodeProto;
import io.compactor.onnx.runtime.ModelSession;
import io.compactor.onnx.tensor.ElementType;
import io.compactor.onnx.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class GraphTest {
  private static final Tensor IMAGES = TestModels.images(7, 5);

  private static Tensor logits(OnnxModel model) {
    try (ModelSession s = ModelSession.open(model, 1)) {
      return s.run(Map.of("image", IMAGES)).get("logits");
    }
  }

  @Test
  void constantWeightsBecomeInitializersWithIdenticalOutputs() {
    OnnxModel model = TestModels.residualCnn(11, true);
    Tensor before = logits(model);
    assertEquals(10, model.graph().nodes().stream().filter(n -> n.opType().equals("Constant")).count());
    assertFalse(model.graph().isConstant("conv1.w"));

    assertEquals(10, model.graph().normalizeConstants());

    assertTrue(model.graph().nodes().stream().noneMatch(n -> n.opType().equals("Constant")));
    assertTrue(model.graph().isConstant("conv1.w"));
    assertArrayEquals(new long[] {8, 1, 3, 3}, model.graph().initializer("conv1.w").orElseThrow().shape());
    model.graph().check();
    assertArrayEquals(before.bytes(), logits(OnnxModel.fromBytes(model.toBytes(), "normalized")).bytes());
  }

  @Test
  void normalizationDropsInputsThatRepeatInitializers() {
    OnnxModel model = TestModels.residualCnn(12, false);
    model.graph().addInput(ValueInfo.of("fc.b", ElementType.FLOAT, 3));
    assertFalse(model.graph().isConstant("fc.b"));
    model.graph().normalizeConstants();
    assertTrue(model.graph().isConstant("fc.b"));
    assertEquals(List.of("image"), model.graph().runtimeInputs().stream().map(ValueInfo::name).toList());
  }

  @Test
  void producersAndConsumers() {
    Graph g = TestModels.residualCnn(13, false).graph();
    assertEquals("bn", g.producer("bn.out").orElseThrow().name());
    assertTrue(g.producer("image").isEmpty());
    assertTrue(g.producer("conv1.w").isEmpty());
    assertEquals(List.of("conv2", "add"), g.consumers("relu1.out").stream().map(Node::name).toList());
    assertEquals(List.of("conv1"), g.consumers("conv1.w").stream().map(Node::name).toList());
  }

  @Test
  void topologicalOrderRepairsShuffledNodes() throws Exception {
    OnnxModel model = TestModels.residualCnn(14, false);
    List<String> expected = model.graph().topologicalOrder().stream().map(Node::name).toList();
    ModelProto.Builder proto = ModelProto.parseFrom(model.toBytes()).toBuilder();
    List<NodeProto> nodes = new ArrayList<>(proto.getGraph().getNodeList());
    Collections.shuffle(nodes, new Random(3));
    proto.getGraphBuilder().clearNode().addAllNode(nodes);
    OnnxModel shuffled = OnnxModel.fromBytes(proto.build().toByteArray(), "shuffled");
    assertNotEquals(expected, shuffled.graph().nodes().stream().map(Node::name).toList());
    List<Node> order = shuffled.graph().topologicalOrder();
    for (Node n : order) {
      for (String in : n.inputs()) {
        int at = order.indexOf(n);
        shuffled.graph().producer(in).ifPresent(p -> assertTrue(order.indexOf(p) < at, p + " after " + n));
      }
    }
  }

  @Test
  void insertedNodesKeepTheModelValidAndRunnable() {
    OnnxModel model = TestModels.residualCnn(15, false);
    Tensor before = logits(model);
    Graph g = model.graph();
    Node relu = g.node("relu1").orElseThrow();
    String copied = g.uniqueValueName("relu1.out");
    assertNotEquals("relu1.out", copied);
    Node identity = Node.create("Identity", g.uniqueNodeName("relu1"), List.of("relu1.out"), List.of(copied));
    g.insertAfter(relu, identity);
    g.replaceUses("relu1.out", copied);
    identity.setInput(0, "relu1.out");
    assertEquals(List.of("relu1_1"), g.consumers("relu1.out").stream().map(Node::name).toList());
    g.check();
    assertArrayEquals(before.bytes(), logits(model).bytes());

    g.removeNode(identity);
    g.replaceUses(copied, "relu1.out");
    g.renameValue("conv2.out", "conv2.renamed");
    g.check();
    assertArrayEquals(before.bytes(), logits(model).bytes());
  }

  @Test
  void replacedInitializerChangesTheResult() {
    OnnxModel model = TestModels.residualCnn(16, false);
    Tensor before = logits(model);
    Graph g = model.graph();
    float[] w = g.initializer("fc.w").orElseThrow().floats();
    w[0] += 1f;
    g.setInitializer("fc.w", Tensor.ofFloats(new long[] {3, 8}, w));
    assertFalse(Arrays.equals(before.bytes(), logits(model).bytes()));
  }

  @Test
  void checkNamesDanglingInputsAndMissingOutputs() {
    OnnxModel model = TestModels.residualCnn(17, false);
    Graph g = model.graph();
    g.removeNode(g.node("relu2").orElseThrow());
    ModelException e = assertThrows(ModelException.class, g::check);
    assertTrue(e.getMessage().contains("node 'gap' reads 'relu2.out', which nothing defines"), e.getMessage());
  }

  @Test
  void removeUnusedDropsDeadBranches() {
    OnnxModel model = TestModels.residualCnn(18, false);
    Graph g = model.graph();
    g.setInitializer("orphan", Tensor.scalar(1f));
    TestModels.node(g, "Relu", "dead", List.of("flat"), "dead.out", n -> {});
    assertEquals(1, g.removeUnused());
    assertFalse(g.hasInitializer("orphan"));
    assertTrue(g.node("dead").isEmpty());
    g.check();
  }

  @Test
  void cycleIsReported() {
    OnnxModel model = TestModels.residualCnn(19, false);
    model.graph().node("conv1").orElseThrow().setInput(0, "relu2.out");
    ModelException e = assertThrows(ModelException.class, () -> model.graph().topologicalOrder());
    assertTrue(e.getMessage().contains("cycle"), e.getMessage());
  }

  @Test
  void opsetImportsAreReadAndUpdated() {
    OnnxModel model = TestModels.residualCnn(20, false);
    assertEquals(13, model.opset());
    model.setOpset("ai.onnx", 17);
    model.setOpset("com.microsoft", 1);
    OnnxModel copy = model.copy();
    assertEquals(17, copy.opset());
    assertEquals(1L, copy.opset("com.microsoft").orElseThrow());
    assertEquals(2, copy.opsetImports().size());
  }
}
