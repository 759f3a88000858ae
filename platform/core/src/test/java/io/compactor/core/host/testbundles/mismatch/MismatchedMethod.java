package io.compactor.core.host.testbundles.mismatch;

import io.compactor.api.CompressionMethod;
import io.compactor.api.Eligibility;
import io.compactor.api.Stage;
import io.compactor.api.StepContext;
import io.compactor.api.StepResult;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.osgi.service.component.annotations.Component;

/** Test bundle {@code test.mismatch}: its service properties say one thing, its methods another. */
@Component(property = {"compactor.capability=sparsity.mismatch", "compactor.stage=sparsity",
    "compactor.op-types=MatMul", "service.ranking:Integer=0"})
public final class MismatchedMethod implements CompressionMethod {
  @Override
  public String capability() {
    return "sparsity.other";
  }

  @Override
  public Stage stage() {
    return Stage.QUANTIZATION;
  }

  @Override
  public Set<String> opTypes() {
    return Set.of("MatMul");
  }

  @Override
  public Eligibility eligibility(Graph graph, Node node) {
    return Eligibility.ELIGIBLE;
  }

  @Override
  public StepResult apply(StepContext context) {
    return StepResult.of(Map.of(), List.of());
  }
}
