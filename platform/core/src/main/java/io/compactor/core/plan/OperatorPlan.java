package io.compactor.core.plan;

import io.compactor.api.Stage;
import java.util.List;
import java.util.Objects;

/**
 * The single combination chosen for one compressible operator: exactly one sparsity part and one
 * quantization part, each a method or an explicit reason for none. An operator can therefore never get
 * two methods of one stage.
 *
 * @param node the ONNX node name
 * @param opType the ONNX op type
 * @param sparsity the sparsity stage's part
 * @param quantization the quantization stage's part
 */
public record OperatorPlan(String node, String opType, Assignment sparsity, Assignment quantization) {
  public OperatorPlan {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(opType, "opType");
    Objects.requireNonNull(sparsity, "sparsity");
    Objects.requireNonNull(quantization, "quantization");
    if (sparsity.stage() != Stage.SPARSITY || quantization.stage() != Stage.QUANTIZATION) {
      throw new IllegalArgumentException(node + ": an operator gets one sparsity part and one quantization part, "
          + "got " + sparsity.stage().id() + " and " + quantization.stage().id());
    }
  }

  /** @return what the operator actually gets */
  public Combination combination() {
    return Combination.of(sparsity.appliedCapability(), quantization.appliedCapability());
  }

  /** @return what the configuration asks for it, whether or not a provider can do it */
  public Combination requested() {
    return Combination.of(sparsity.capability(), quantization.capability());
  }

  /** @return both parts in chain order: sparsity, then quantization */
  public List<Assignment> parts() {
    return List.of(sparsity, quantization);
  }
}
