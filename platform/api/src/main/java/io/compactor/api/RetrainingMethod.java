package io.compactor.api;

import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import java.util.Set;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A retraining provider: the whole model's method of stage {@link Stage#RETRAINING}, run once after the
 * quantization steps on the training form, never per operator. What a provider says about itself is its
 * capability, {@link #apply} (the training) and, where it cannot run every operator,
 * {@link #unsupportedOperators}; the rest is the same for every retraining method and given here. Register it
 * as a {@link CompressionMethod} service ({@code @Component(service = CompressionMethod.class, ...)}): that is
 * the interface the host tracks.
 *
 * @since 1.5.0
 */
@ConsumerType
public interface RetrainingMethod extends CompressionMethod {
  @Override
  default Stage stage() {
    return Stage.RETRAINING;
  }

  /** @return none: retraining selects no operators, it trains the whole form */
  @Override
  default Set<String> opTypes() {
    return Set.of();
  }

  /** @return eligible: which operators it cannot run is {@link #unsupportedOperators}, asked for the model */
  @Override
  default Eligibility eligibility(Graph graph, Node node) {
    return Eligibility.ELIGIBLE;
  }
}
