package io.compactor.core.host.testbundles.twoofour;

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

/** Test bundle {@code test.twoofour}: a stand-in for the built-in sparsity.2of4 provider, ranking 0. */
@Component(property = {"compactor.capability=sparsity.2of4", "compactor.stage=sparsity",
    "compactor.op-types=Conv", "compactor.op-types=Gemm", "compactor.op-types=MatMul",
    "service.ranking:Integer=0"})
public final class RankedTwoOfFour implements CompressionMethod {
  @Override
  public String capability() {
    return "sparsity.2of4";
  }

  @Override
  public Stage stage() {
    return Stage.SPARSITY;
  }

  @Override
  public Set<String> opTypes() {
    return Set.of("Conv", "Gemm", "MatMul");
  }

  @Override
  public Eligibility eligibility(Graph graph, Node node) {
    return Eligibility.ELIGIBLE;
  }

  @Override
  public StepResult apply(StepContext context) {
    return StepResult.of(Map.of("provider", "test.twoofour"), List.of());
  }
}
