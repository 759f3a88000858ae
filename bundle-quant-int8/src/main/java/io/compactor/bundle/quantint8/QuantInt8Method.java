package io.compactor.bundle.quantint8;

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
 * Capability {@code quant.int8}: INT8 quantization-aware retraining of operators with a constant float
 * weight. Stateless; per-job state lives in the {@link StepContext}.
 */
@Component(property = {
    "compactor.capability=quant.int8", "compactor.stage=quantization",
    "compactor.op-types=Conv", "compactor.op-types=ConvTranspose", "compactor.op-types=Gemm",
    "compactor.op-types=MatMul",
    "service.ranking:Integer=0"})
public final class QuantInt8Method implements CompressionMethod {
  static final String CAPABILITY = "quant.int8";
  private static final Set<String> OP_TYPES = Set.of("Conv", "ConvTranspose", "Gemm", "MatMul");

  @Override
  public String capability() {
    return CAPABILITY;
  }

  @Override
  public Stage stage() {
    return Stage.QUANTIZATION;
  }

  @Override
  public Set<String> opTypes() {
    return OP_TYPES;
  }

  @Override
  public Eligibility eligibility(Graph graph, Node node) {
    return WeightInput.check(graph, node, OP_TYPES);
  }

  @Override
  public StepResult apply(StepContext context) {
    throw new StepException(CAPABILITY, null,
        "the INT8 quantization algorithm arrives with issue #8; plan this operator without quant.int8 for now");
  }
}
