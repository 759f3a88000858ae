package io.compactor.core.output;

import static io.compactor.onnx.fixtures.TestModels.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.graph.ValueInfo;
import io.compactor.onnx.runtime.Dataset;
import io.compactor.onnx.tensor.ElementType;
import io.compactor.onnx.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The evaluator in real ONNX Runtime sessions, on one-operator models that produce NaN on purpose. */
class EvaluatorTest {
  /** Sample 1 holds a negative number: Log makes NaN of it, Abs does not. */
  private static final Dataset DATA =
      new Dataset("eval", Map.of("x", Tensor.ofFloats(new long[] {3, 2}, 1f, 2f, -1f, 3f, 4f, 5f)), null);

  private static OnnxModel unary(String op) {
    OnnxModel model = OnnxModel.create(op.toLowerCase(), 13);
    Graph g = model.graph();
    g.addInput(ValueInfo.of("x", ElementType.FLOAT, ValueInfo.UNKNOWN_DIM, 2));
    node(g, op, "f", List.of("x"), "y", n -> {});
    g.addOutput(ValueInfo.of("y", ElementType.FLOAT, ValueInfo.UNKNOWN_DIM, 2));
    return model;
  }

  @Test
  void aDeployModelThatProducesNanFailsNamingTheSampleAndTheOutput() {
    var e = assertThrows(Evaluator.EvaluationException.class,
        () -> Evaluator.evaluate(unary("Abs"), unary("Log"), DATA, 2));
    assertTrue(e.getMessage().startsWith("the deploy model produced NaN in output 'y' for eval sample 1 (element 2)"),
        e.getMessage());
    assertTrue(e.getMessage().contains("the compression broke the model"), e.getMessage());
  }

  @Test
  void anOriginalThatProducesNanBlamesTheEvalData() {
    var e = assertThrows(Evaluator.EvaluationException.class,
        () -> Evaluator.evaluate(unary("Log"), unary("Abs"), DATA, 2));
    assertTrue(e.getMessage().startsWith("the original model produced NaN in output 'y' for eval sample 1"),
        e.getMessage());
    assertTrue(e.getMessage().contains("check that sample"), e.getMessage());
  }

  @Test
  void finiteOutputsAreCompared() {
    Evaluator.Quality q = Evaluator.evaluate(unary("Abs"), unary("Abs"), DATA, 2);
    assertEquals(3, q.samples());
    assertEquals(1.0, q.fidelity().meanCosine(), 1e-6);
  }
}
