package io.compactor.bundle.quantint8;

import static io.compactor.onnx.fixtures.TestModels.gaussian;
import static io.compactor.onnx.fixtures.TestModels.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.api.Eligibility;
import io.compactor.api.LayerQuantization;
import io.compactor.api.StepResult;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.graph.ValueInfo;
import io.compactor.onnx.runtime.Dataset;
import io.compactor.onnx.runtime.Evaluation;
import io.compactor.onnx.runtime.Fidelity;
import io.compactor.onnx.runtime.ModelSession;
import io.compactor.onnx.tensor.ElementType;
import io.compactor.onnx.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Embedding tables in INT8 on a model built in code: token ids → word and position Gathers → Add → MatMul, run
 * by real ONNX Runtime. The deploy model gathers from int8 tables and dequantizes the rows it gathered.
 */
class EmbeddingTableTest {
  private static final int VOCAB = 200;
  private static final int WIDTH = 16;
  private static final int TOKENS = 6;
  @TempDir Path work;

  /** ids [N,6] → word [200,16] + position [6,16] (gathered by a computed position index) → MatMul 16→8 → y. */
  static OnnxModel embedder(long opset) {
    return embedder(opset, false);
  }

  /** @param legacyUnsqueeze put an opset-11 Unsqueeze (axes attribute) after the Add, which keeps the opset below 13 */
  static OnnxModel embedder(long opset, boolean legacyUnsqueeze) {
    Random r = new Random(5);
    OnnxModel m = OnnxModel.create("embedder", opset);
    Graph g = m.graph();
    g.addInput(ValueInfo.of("ids", ElementType.INT64, ValueInfo.UNKNOWN_DIM, TOKENS));
    g.addInput(ValueInfo.of("pos", ElementType.INT64, ValueInfo.UNKNOWN_DIM, TOKENS));
    float[] word = gaussian(r, 0.05f, VOCAB, WIDTH).floats();
    for (int row = 0; row < VOCAB; row++) {
      word[row * WIDTH + 3] *= 20; // an outlier dimension, as BERT-like tables have
    }
    g.setInitializer("word.w", Tensor.ofFloats(new long[] {VOCAB, WIDTH}, word));
    node(g, "Gather", "word", List.of("word.w", "ids"), "word.out", n -> {});
    g.setInitializer("pos.w", gaussian(r, 0.02f, TOKENS, WIDTH));
    node(g, "Gather", "position", List.of("pos.w", "pos"), "pos.out", n -> {});
    node(g, "Add", "sum", List.of("word.out", "pos.out"), legacyUnsqueeze ? "sum.out" : "emb", n -> {});
    if (legacyUnsqueeze) {
      node(g, "Unsqueeze", "unsq", List.of("sum.out"), "emb", n -> n.setAttr("axes", new long[] {0}));
    }
    g.setInitializer("proj.w", gaussian(r, 0.3f, WIDTH, 8));
    node(g, "MatMul", "proj", List.of("emb", "proj.w"), "y", n -> {});
    g.addOutput(ValueInfo.named("y"));
    return m;
  }

  static Dataset ids(long seed, int n) {
    Random r = new Random(seed);
    long[] ids = new long[n * TOKENS];
    long[] pos = new long[n * TOKENS];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = r.nextInt(VOCAB);
      pos[i] = i % TOKENS;
    }
    return new Dataset("ids", Map.of("ids", Tensor.ofInt64s(new long[] {n, TOKENS}, ids),
        "pos", Tensor.ofInt64s(new long[] {n, TOKENS}, pos)), null);
  }

  private static Tensor run(OnnxModel m, Dataset data) {
    try (ModelSession s = ModelSession.open(m)) {
      return Evaluation.runAll(s, data, 16).get("y");
    }
  }

  @Test
  void tablesAreGatheredInInt8AndDequantizedPerColumn() {
    OnnxModel fp32 = embedder(13);
    OnnxModel model = fp32.copy();
    Dataset data = ids(1, 32);
    List<io.compactor.api.LayerTask> tasks = new java.util.ArrayList<>(Int8Models.tasks(model,
        List.of("word", "position"), Map.of("channel_wise", true)));
    // dynamic: exact integer products on every machine (static u8×s8 kernels may saturate on AVX2)
    tasks.addAll(Int8Models.tasks(model, List.of("proj"), Map.of("activation_quant", "dynamic")));
    StepResult r = new QuantInt8Method().apply(new io.compactor.api.testing.SimpleStepContext(model, tasks, data,
        work, 16));
    assertEquals(3L, ((Number) r.summary().get("layers_quantized")).longValue(), r.summary().toString());
    OnnxModel deploy = Int8Models.deploy(r);
    Graph g = deploy.graph();
    for (String table : List.of("word", "position")) {
      Node gather = g.node(table).orElseThrow();
      assertEquals(ElementType.INT8.onnxCode(), g.initializerTypeCode(gather.input(0)), table);
      Node dq = g.consumers(gather.output(0)).get(0);
      assertEquals("DequantizeLinear", dq.opType(), table);
      assertEquals(-1L, dq.attrInt("axis", 0), table + ": one scale per column, on the gathered rows' last axis");
      assertEquals(WIDTH, g.initializerShape(dq.input(1)).orElseThrow()[0], table);
    }
    LayerQuantization form = r.form().orElseThrow().quantization().get("word");
    assertFalse(form.activation().quantized(), "a table has no activation to quantize");
    assertEquals(1, form.grid().axis());
    Tensor reference = run(fp32, data);
    Tensor fakeQuant = run(model, data);
    Tensor deployed = run(deploy, data);
    Fidelity toTwin = Evaluation.fidelity(fakeQuant, deployed);
    assertTrue(toTwin.maxAbsError() < 1e-3 && toTwin.meanCosine() > 0.99999, "deploy vs fake-quant " + toTwin);
    assertTrue(Evaluation.fidelity(reference, deployed).meanCosine() > 0.999, "deploy vs FP32");
    long tableBytes = 4L * (VOCAB + TOKENS) * WIDTH;
    assertTrue(fp32.toBytes().length - deploy.toBytes().length > tableBytes / 2,
        "the tables shrink about 4x: " + fp32.toBytes().length + " → " + deploy.toBytes().length);
  }

  @Test
  void belowOpset13TheColumnScalesAreAMulAfterAUnitDequantizeLinear() {
    OnnxModel model = embedder(11, true);
    Dataset data = ids(2, 16);
    io.compactor.api.testing.SimpleStepContext context = Int8Models.context(model, List.of("word"),
        Map.of("channel_wise", true), data, work);
    StepResult r = new QuantInt8Method().apply(context);
    OnnxModel deploy = Int8Models.deploy(r);
    assertEquals(11L, deploy.opset());
    assertTrue(context.warnings().isEmpty(), context.warnings().toString());
    Node dq = deploy.graph().consumers(deploy.graph().node("word").orElseThrow().output(0)).get(0);
    assertEquals(0, deploy.graph().initializerShape(dq.input(1)).orElseThrow().length);
    Node mul = deploy.graph().consumers(dq.output(0)).get(0);
    assertEquals("Mul", mul.opType());
    assertEquals(WIDTH, deploy.graph().initializerShape(mul.input(1)).orElseThrow()[0]);
    assertEquals(0.0, Evaluation.fidelity(run(model, data), run(deploy, data)).maxAbsError(), 1e-6,
        "the same products as the fake-quant table");
  }

  @Test
  void onlyRowLookupsInAConstantUnsharedTableAreEligible() {
    OnnxModel m = embedder(13);
    Graph g = m.graph();
    QuantInt8Method method = new QuantInt8Method();
    assertTrue(method.eligibility(g, g.node("word").orElseThrow()).eligible());
    node(g, "Shape", "shape", List.of("emb"), "emb.shape", n -> {});
    g.setInitializer("zero", Tensor.ofInt64s(new long[0], 0));
    node(g, "Gather", "dim", List.of("emb.shape", "zero"), "emb.n", n -> {});
    Eligibility shape = method.eligibility(g, g.node("dim").orElseThrow());
    assertFalse(shape.eligible());
    assertTrue(shape.reason().contains("not a constant initializer"), shape.reason());
    node(g, "Gather", "columns", List.of("pos.w", "ids"), "cols", n -> n.setAttr("axis", 1L));
    Eligibility columns = method.eligibility(g, g.node("columns").orElseThrow());
    assertFalse(columns.eligible());
    assertTrue(columns.reason().contains("shared with [position]") || columns.reason().contains("axis 1"),
        columns.reason());
  }
}
