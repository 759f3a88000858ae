package io.compactor.api.testing;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.api.Capabilities;
import io.compactor.api.CompressionMethod;
import io.compactor.api.Eligibility;
import io.compactor.api.Stage;
import io.compactor.api.StepContext;
import io.compactor.api.StepResult;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The kit catches the mistakes it names: it is run here on deliberately broken methods. */
class CompressionMethodContractTest {
  /** A method with the given declarations; eligibility and apply are never reached by these checks. */
  private record Declared(String capability, Stage stage, Set<String> opTypes) implements CompressionMethod {
    @Override
    public Eligibility eligibility(Graph graph, Node node) {
      return Eligibility.ELIGIBLE;
    }

    @Override
    public StepResult apply(StepContext context) {
      throw new UnsupportedOperationException();
    }
  }

  private static CompressionMethodContract kit(Supplier<CompressionMethod> method) {
    return new CompressionMethodContract() {
      @Override
      protected CompressionMethod method() {
        return method.get();
      }

      @Override
      protected List<Operator> eligibleOperators() {
        return List.of();
      }

      @Override
      protected List<Operator> ineligibleOperators() {
        return List.of();
      }
    };
  }

  @Test
  void aWellDeclaredMethodPasses() {
    CompressionMethodContract kit = kit(() -> new Declared("sparsity.magnitude", Stage.SPARSITY, Set.of("Conv")));
    kit.declaresAWellFormedCapabilityStageAndOpTypes();
    kit.instancesAgreeAndCallersCannotChangeTheOpTypes();
  }

  @Test
  void aBuiltInCapabilityInAnotherStageFails() {
    AssertionError e = assertThrows(AssertionError.class, () -> kit(() -> new Declared(Capabilities.QUANT_INT8,
        Stage.SPARSITY, Set.of("Conv"))).declaresAWellFormedCapabilityStageAndOpTypes());
    assertTrue(e.getMessage().contains("built in with stage quantization"), e.getMessage());
  }

  @Test
  void aMalformedCapabilityOrNoOpTypesFail() {
    assertThrows(AssertionError.class, () -> kit(() -> new Declared("Sparsity2of4", Stage.SPARSITY, Set.of("Conv")))
        .declaresAWellFormedCapabilityStageAndOpTypes());
    assertThrows(AssertionError.class, () -> kit(() -> new Declared("sparsity.x", Stage.SPARSITY, Set.of()))
        .declaresAWellFormedCapabilityStageAndOpTypes());
    assertThrows(AssertionError.class, () -> kit(() -> new Declared("sparsity.x", Stage.SPARSITY, Set.of("conv")))
        .declaresAWellFormedCapabilityStageAndOpTypes());
  }

  @Test
  void instancesThatDisagreeOrASharedMutableOpTypeSetFail() {
    AtomicInteger made = new AtomicInteger();
    assertThrows(AssertionError.class, () -> kit(() -> new Declared("sparsity.v" + made.incrementAndGet(),
        Stage.SPARSITY, Set.of("Conv"))).instancesAgreeAndCallersCannotChangeTheOpTypes());
    Set<String> shared = new HashSet<>(Set.of("Conv", "Gemm"));
    AssertionError e = assertThrows(AssertionError.class, () -> kit(() -> new Declared("sparsity.x", Stage.SPARSITY,
        shared)).instancesAgreeAndCallersCannotChangeTheOpTypes());
    assertTrue(e.getMessage().contains("could change"), e.getMessage());
  }
}
