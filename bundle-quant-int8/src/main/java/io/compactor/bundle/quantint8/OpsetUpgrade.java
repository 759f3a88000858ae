package io.compactor.bundle.quantint8;

import io.compactor.onnx.graph.Node;
import io.compactor.onnx.graph.OnnxModel;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Raises a model's default-domain opset to the version the quantization operators need (QuantizeLinear
 * 10, DynamicQuantizeLinear 11, per-axis scales 13) when every operator in the graph keeps its meaning
 * across the change. Operators whose inputs or semantics changed on the way (Softmax's axis handling,
 * Squeeze/Unsqueeze/ReduceSum/Split axes as inputs, Slice/Pad/Clip attributes, Upsample, Resize, ...)
 * are not rewritten: the upgrade is refused with the first such operator named, and the caller falls back.
 */
final class OpsetUpgrade {
  /** Operators whose meaning is the same at any opset from 7 to 13, for the attributes they can carry. */
  private static final Set<String> STABLE = Set.of("Abs", "Add", "Sub", "Mul", "Div", "Neg", "Reciprocal", "Sqrt",
      "Exp", "Log", "Pow", "Erf", "Tanh", "Sigmoid", "HardSigmoid", "Relu", "LeakyRelu", "Elu", "Selu", "PRelu",
      "Softplus", "Softsign", "MatMul", "Gemm", "Conv", "ConvTranspose", "MaxPool", "AveragePool", "GlobalAveragePool",
      "GlobalMaxPool", "Flatten", "Reshape", "Transpose", "Concat", "Identity", "Shape", "Cast", "Gather", "Constant",
      "ConstantOfShape", "Equal", "Less", "Greater", "Not", "And", "Or", "Where", "Expand", "Max", "Min", "Sum",
      "Mean", "ReduceMean", "ReduceMax", "ReduceMin", "InstanceNormalization", "LRN", "Floor", "Ceil", "Sign",
      "Tile", "QuantizeLinear", "DequantizeLinear");
  /** Operators that are stable only from the opset where their current form appeared. */
  private static final Map<String, Long> STABLE_FROM = Map.of("Slice", 10L, "Pad", 11L,
      "Clip", 11L, "Round", 11L, "DynamicQuantizeLinear", 11L, "MatMulInteger", 10L, "BatchNormalization", 9L,
      "Dropout", 12L);

  private OpsetUpgrade() {}

  /** @return why {@code model} cannot be raised to {@code target}, or empty when it can (or already is) */
  static Optional<String> obstacle(OnnxModel model, long target) {
    long from = model.opset();
    if (from >= target) {
      return Optional.empty();
    }
    for (Node n : model.graph().nodes()) {
      if (!n.domain().isEmpty() && !n.domain().equals("ai.onnx")) {
        continue;
      }
      Long since = STABLE_FROM.get(n.opType());
      boolean ok = STABLE.contains(n.opType()) || since != null && from >= since
          || n.opType().equals("Dropout") && !n.hasAttribute("ratio");
      if (!ok) {
        return Optional.of(n.opType() + " '" + n.name() + "' changed meaning between opset " + from + " and "
            + target + " and is not rewritten by Compactor");
      }
    }
    return Optional.empty();
  }

  /** Raises the default-domain opset of {@code model} to {@code target}; call after {@link #obstacle}. */
  static void apply(OnnxModel model, long target) {
    if (model.opset() < target) {
      model.setOpset("", target);
    }
  }
}
