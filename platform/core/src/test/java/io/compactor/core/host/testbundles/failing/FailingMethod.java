package io.compactor.core.host.testbundles.failing;

import io.compactor.api.CompressionMethod;
import io.compactor.api.Eligibility;
import io.compactor.api.Stage;
import io.compactor.api.StepContext;
import io.compactor.api.StepResult;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import java.util.Set;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/** Test bundle {@code test.failing}: a DS component whose activation always fails. */
@Component(property = {"compactor.capability=sparsity.failing", "compactor.stage=sparsity",
    "compactor.op-types=MatMul", "service.ranking:Integer=0"})
public final class FailingMethod implements CompressionMethod {
  @Activate
  void activate() {
    throw new IllegalStateException("activation fails on purpose");
  }

  @Override
  public String capability() {
    return "sparsity.failing";
  }

  @Override
  public Stage stage() {
    return Stage.SPARSITY;
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
    throw new UnsupportedOperationException("never activated");
  }
}
