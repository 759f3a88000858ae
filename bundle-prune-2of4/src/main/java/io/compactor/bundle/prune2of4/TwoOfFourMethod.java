package io.compactor.bundle.prune2of4;

import io.compactor.api.Capabilities;
import io.compactor.api.CompressionMethod;
import io.compactor.api.Eligibility;
import io.compactor.api.Stage;
import io.compactor.api.StepContext;
import io.compactor.api.StepResult;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import java.util.Objects;
import java.util.Set;
import org.osgi.service.component.annotations.Component;

/**
 * Capability {@code sparsity.2of4}: M4N2 structured sparsity along the input channels of Conv,
 * ConvTranspose, Gemm and MatMul, with layer-wise second-order reconstruction on the calibration data so
 * the model keeps its accuracy without a training loop. Stateless: all per-job state lives in the
 * {@link StepContext} and in objects created per {@link #apply} call.
 */
@Component(property = {
    "compactor.capability=sparsity.2of4", "compactor.stage=sparsity",
    "compactor.op-types=Conv", "compactor.op-types=ConvTranspose", "compactor.op-types=Gemm",
    "compactor.op-types=MatMul",
    "service.ranking:Integer=0"})
public final class TwoOfFourMethod implements CompressionMethod {
  private final ReconstructionOptions options;

  /** The service: reconstruction with the default options. */
  public TwoOfFourMethod() {
    this(ReconstructionOptions.DEFAULTS);
  }

  TwoOfFourMethod(ReconstructionOptions options) {
    this.options = Objects.requireNonNull(options, "options");
  }

  @Override
  public String capability() {
    return Capabilities.SPARSITY_2OF4;
  }

  @Override
  public Stage stage() {
    return Stage.SPARSITY;
  }

  @Override
  public Set<String> opTypes() {
    return TwoOfFourEligibility.OP_TYPES;
  }

  @Override
  public Eligibility eligibility(Graph graph, Node node) {
    return TwoOfFourEligibility.check(Objects.requireNonNull(graph, "graph"), Objects.requireNonNull(node, "node"));
  }

  @Override
  public StepResult apply(StepContext context) {
    return new TwoOfFourStep(Objects.requireNonNull(context, "context"), options).run();
  }
}
