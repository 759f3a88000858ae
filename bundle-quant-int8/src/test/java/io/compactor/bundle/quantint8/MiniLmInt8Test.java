package io.compactor.bundle.quantint8;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.api.StepResult;
import io.compactor.onnx.fixtures.TestModels;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.runtime.Dataset;
import io.compactor.onnx.runtime.Evaluation;
import io.compactor.onnx.runtime.Fidelity;
import io.compactor.onnx.runtime.ModelSession;
import io.compactor.onnx.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real all-MiniLM-L6-v2 (opset 11, from Maven Central): the first encoder layer's six projections are
 * quantized statically and dynamically; both deploy models run in ONNX Runtime, keep the opset and stay close
 * to FP32 and to their fake-quant twins. Token ids are random, so this checks mechanics, not language.
 */
class MiniLmInt8Test {
  private static final List<String> LAYER0 = List.of("/encoder/layer.0/attention/self/query/MatMul",
      "/encoder/layer.0/attention/self/key/MatMul", "/encoder/layer.0/attention/self/value/MatMul",
      "/encoder/layer.0/attention/output/dense/MatMul", "/encoder/layer.0/intermediate/dense/MatMul",
      "/encoder/layer.0/output/dense/MatMul");
  private static OnnxModel fp32;
  private static Dataset data;
  @TempDir static Path dir;
  @TempDir Path work;

  @BeforeAll
  static void load() {
    fp32 = OnnxModel.load(TestModels.miniLm(dir));
    fp32.graph().normalizeConstants();
    Random r = new Random(31);
    long[][] tokens = new long[24][12];
    for (long[] row : tokens) {
      row[0] = 101;
      for (int i = 1; i < row.length - 1; i++) {
        row[i] = 1000 + r.nextInt(20000);
      }
      row[row.length - 1] = 102;
    }
    data = new Dataset("random tokens", TestModels.miniLmFeeds(tokens), null);
  }

  private static Tensor hidden(OnnxModel m) {
    try (ModelSession s = ModelSession.open(m)) {
      return Evaluation.runAll(s, data, 8).get("last_hidden_state");
    }
  }

  @Test
  void staticAndDynamicDeployModelsRunAndFollowFp32() {
    Tensor reference = hidden(fp32);
    for (String mode : List.of("static", "dynamic")) {
      OnnxModel model = fp32.copy();
      StepResult r = new QuantInt8Method().apply(new io.compactor.api.testing.SimpleStepContext(model,
          Int8Models.tasks(model, LAYER0, Map.of("activation_quant", mode)), data, work, 8));
      OnnxModel deploy = Int8Models.deploy(r);
      assertEquals(11L, deploy.opset(), mode + ": per-tensor MatMuls need no opset change");
      assertEquals(6L, ((Number) r.summary().get("layers_quantized")).longValue());
      assertTrue(deploy.opTypes().contains(mode.equals("static") ? "QuantizeLinear" : "MatMulInteger"),
          mode + " " + deploy.opTypes());
      Fidelity toFp32 = Evaluation.fidelity(reference, hidden(deploy));
      assertTrue(toFp32.meanCosine() > 0.99, mode + " vs FP32 " + toFp32);
      Fidelity toTwin = Evaluation.fidelity(hidden(model), hidden(deploy));
      assertTrue(toTwin.meanCosine() > 0.999, mode + " vs fake-quant " + toTwin);
    }
  }

  @Test
  void theThreeEmbeddingTablesShrinkToInt8AtOpset11WithColumnScales() {
    List<String> tables = List.of("/embeddings/word_embeddings/Gather", "/embeddings/position_embeddings/Gather",
        "/embeddings/token_type_embeddings/Gather");
    OnnxModel model = fp32.copy();
    io.compactor.api.testing.SimpleStepContext context = new io.compactor.api.testing.SimpleStepContext(model,
        Int8Models.tasks(model, tables, Map.of("channel_wise", true)), data, work, 8);
    StepResult r = new QuantInt8Method().apply(context);
    OnnxModel deploy = Int8Models.deploy(r);
    assertEquals(11L, deploy.opset(), "tables need no opset change");
    assertTrue(context.warnings().isEmpty(), context.warnings().toString());
    io.compactor.onnx.graph.Node word = deploy.graph().node(tables.get(0)).orElseThrow();
    io.compactor.onnx.graph.Node dq = deploy.graph().consumers(word.output(0)).get(0);
    assertEquals("DequantizeLinear", dq.opType());
    assertEquals("Mul", deploy.graph().consumers(dq.output(0)).get(0).opType(), "column scales below opset 13");
    long saved = fp32.toBytes().length - deploy.toBytes().length;
    // 30522 + 512 + 2 rows of 384 floats become bytes: 3 × 11.9 M bytes saved
    assertTrue(saved > 35_000_000L, "saved " + saved + " bytes");
    Tensor reference = hidden(fp32);
    Fidelity toFp32 = Evaluation.fidelity(reference, hidden(deploy));
    assertTrue(toFp32.meanCosine() > 0.9995, "tables alone vs FP32 " + toFp32);
    Fidelity toTwin = Evaluation.fidelity(hidden(model), hidden(deploy));
    assertTrue(toTwin.maxAbsError() < 1e-3, "deploy vs fake-quant " + toTwin);
  }
}
