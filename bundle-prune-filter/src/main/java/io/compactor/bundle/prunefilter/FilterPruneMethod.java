package io.compactor.bundle.prunefilter;

import io.compactor.api.CompressionMethod;
import io.compactor.api.Eligibility;
import io.compactor.api.Stage;
import io.compactor.api.StepContext;
import io.compactor.api.StepException;
import io.compactor.api.StepResult;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import java.util.Set;
import org.osgi.service.component.annotations.Component;

/**
 * Capability {@code sparsity.filter}: balanced L2 filter pruning of operators whose output channels can be
 * removed. Stateless; per-job state lives in the {@link StepContext}.
 */
@Component(property = {
    "compactor.capability=sparsity.filter", "compactor.stage=sparsity",
    "compactor.op-types=Conv", "compactor.op-types=Gemm", "compactor.op-types=MatMul",
    "service.ranking:Integer=0"})
public final class FilterPruneMethod implements CompressionMethod {
  static final String CAPABILITY = "sparsity.filter";
  private static final Set<String> OP_TYPES = Set.of("Conv", "Gemm", "MatMul");

  @Override
  public String capability() {
    return CAPABILITY;
  }

  @Override
  public Stage stage() {
    return Stage.SPARSITY;
  }

  @Override
  public Set<String> opTypes() {
    return OP_TYPES;
  }

  @Override
  public Eligibility eligibility(Graph graph, Node node) {
    return FilterProducer.check(graph, node, OP_TYPES);
  }

  @Override
  public StepResult apply(StepContext context) {
    throw new StepException(CAPABILITY, null,
        "the filter pruning algorithm arrives with issue #7; plan this operator without sparsity.filter for now");
  }
}
