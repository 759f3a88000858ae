package io.compactor.core.host.testbundles.throwing;

import io.compactor.api.CompressionMethod;
import io.compactor.api.Eligibility;
import io.compactor.api.StepContext;
import io.compactor.api.StepResult;
import io.compactor.api.Stage;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import java.util.Set;
import org.osgi.service.component.annotations.Component;

/**
 * Test bundle {@code test.throwing}: a {@code quant.int8} provider whose step fails with an unchecked
 * exception after one progress report, as a buggy third-party bundle would.
 */
@Component(property = {"compactor.capability=quant.int8", "compactor.stage=quantization",
    "compactor.op-types=Conv", "compactor.op-types=Gemm", "compactor.op-types=MatMul", "service.ranking:Integer=0"})
public final class ThrowingQuant implements CompressionMethod {
  @Override
  public String capability() {
    return "quant.int8";
  }

  @Override
  public Stage stage() {
    return Stage.QUANTIZATION;
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
    context.progress(0, context.layers().size(), context.layers().get(0).node());
    throw new IllegalStateException("scale table overflow in " + context.layers().get(0).node());
  }
}
