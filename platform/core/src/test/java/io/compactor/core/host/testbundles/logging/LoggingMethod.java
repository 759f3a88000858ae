package io.compactor.core.host.testbundles.logging;

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
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Test bundle {@code test.logging}: a third-party bundle that imports {@code org.slf4j} as bnd computes it
 * and logs when its component activates, so a test sees the line arrive in the host's backend.
 */
@Component(property = {"compactor.capability=sparsity.logging", "compactor.stage=sparsity",
    "compactor.op-types=MatMul", "service.ranking:Integer=0"})
public final class LoggingMethod implements CompressionMethod {
  private static final Logger LOG = LoggerFactory.getLogger(LoggingMethod.class);

  @Activate
  void activate() {
    LOG.info("test.logging active, logging through {}", LoggerFactory.getILoggerFactory().getClass().getName());
  }

  @Override
  public String capability() {
    return "sparsity.logging";
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
    LOG.info("applied");
    return StepResult.of(Map.of(), List.of());
  }
}
