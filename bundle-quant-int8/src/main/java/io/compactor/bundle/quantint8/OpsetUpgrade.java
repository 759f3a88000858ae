package io.compactor.bundle.quantint8;

import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.graph.ValueInfo;
import io.compactor.onnx.tensor.ElementType;
import io.compactor.onnx.tensor.Tensor;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Raises a model's default-domain opset to the version the quantization operators need (QuantizeLinear
 * 10, DynamicQuantizeLinear 11, per-axis scales 13) when every operator in the graph keeps its meaning
 * across the change. Three changes are rewritten: Slice's (opset 10) and Clip's (opset 11) attributes
 * become constant inputs, and a Softmax over the last axis, which means the same before and after opset
 * 13, gets {@code axis = -1}. Other operators whose inputs or semantics changed on the way
 * (Squeeze/Unsqueeze/ReduceSum/Split axes as inputs, Pad attributes, Upsample, Resize, a Softmax over an
 * inner axis, ...) refuse the upgrade with the first such operator named, and the caller falls back.
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
  private static final Map<String, Long> STABLE_FROM = Map.of("Pad", 11L, "Round", 11L,
      "DynamicQuantizeLinear", 11L, "MatMulInteger", 10L, "BatchNormalization", 9L, "Dropout", 12L);
  /** Operators whose form changed at this opset in a way {@link #apply} rewrites (see {@link #rewritable}). */
  private static final Map<String, Long> REWRITTEN_AT = Map.of("Slice", 10L, "Clip", 11L, "Softmax", 13L);
  /** Operators whose output has the element type of their input 0 (to prove a Clip input is float). */
  private static final Set<String> SAME_TYPE = Set.of("Add", "Sub", "Mul", "Div", "Neg", "Abs", "Relu", "LeakyRelu",
      "Sigmoid", "HardSigmoid", "Tanh", "Clip", "Conv", "ConvTranspose", "BatchNormalization", "MaxPool",
      "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "MatMul", "Gemm", "Reshape", "Transpose", "Flatten",
      "Identity", "Softmax", "Slice");

  private OpsetUpgrade() {}

  /** @return why {@code model} cannot be raised to {@code target}, or empty when it can (or already is) */
  static Optional<String> obstacle(OnnxModel model, long target) {
    long from = model.opset();
    if (from >= target) {
      return Optional.empty();
    }
    for (Node n : model.graph().nodes()) {
      if (!defaultDomain(n)) {
        continue;
      }
      Long since = STABLE_FROM.get(n.opType());
      Long rewrittenAt = REWRITTEN_AT.get(n.opType());
      boolean ok = STABLE.contains(n.opType()) || since != null && from >= since
          || n.opType().equals("Dropout") && !n.hasAttribute("ratio")
          || rewrittenAt != null && (from >= rewrittenAt || target < rewrittenAt || rewritable(model.graph(), n));
      if (!ok) {
        return Optional.of(n.opType() + " '" + n.name() + "' changed meaning between opset " + from + " and "
            + target + " and is not rewritten by Compactor" + (rewrittenAt == null ? "" : " (" + limit(n) + ")"));
      }
    }
    return Optional.empty();
  }

  /** Raises the default-domain opset of {@code model} to {@code target}; call after {@link #obstacle}. */
  static void apply(OnnxModel model, long target) {
    long from = model.opset();
    if (from >= target) {
      return;
    }
    Graph g = model.graph();
    for (Node n : g.nodes()) {
      Long at = REWRITTEN_AT.get(n.opType());
      if (defaultDomain(n) && at != null && from < at && target >= at) {
        rewrite(g, n);
      }
    }
    model.setOpset("", target);
  }

  private static boolean defaultDomain(Node n) {
    return n.domain().isEmpty() || n.domain().equals("ai.onnx");
  }

  /** @return whether {@link #rewrite} keeps the node's meaning at the new opset */
  private static boolean rewritable(Graph g, Node n) {
    return switch (n.opType()) {
      case "Slice" -> n.hasAttribute("starts") && n.hasAttribute("ends");
      // the new min/max inputs must have the input's type; Compactor writes them as float
      case "Clip" -> knownFloat(g, n.input(0));
      // before 13 Softmax flattens the axes from `axis` on; the same as one axis only when it is the last
      case "Softmax" -> rank(g, n).map(r -> {
        long axis = n.attrInt("axis", 1);
        return (axis < 0 ? axis + r : axis) == r - 1;
      }).orElse(false);
      default -> false;
    };
  }

  private static String limit(Node n) {
    return switch (n.opType()) {
      case "Clip" -> "its input is not known to be float";
      case "Softmax" -> "only a Softmax over the last axis of an input of known rank is; this one has axis "
          + n.attrInt("axis", 1);
      default -> "it lacks its starts or ends attribute";
    };
  }

  /** Follows input 0 through type-preserving operators to a value whose element type is declared. */
  private static boolean knownFloat(Graph g, String value) {
    String v = value;
    for (Optional<Node> p = g.producer(v); p.isPresent() && SAME_TYPE.contains(p.get().opType());
        p = g.producer(v)) {
      v = p.get().input(0);
    }
    if (g.hasInitializer(v)) {
      return g.initializerTypeCode(v) == ElementType.FLOAT.onnxCode();
    }
    return g.valueInfo(v).map(i -> i.elementTypeCode() == ElementType.FLOAT.onnxCode()).orElse(false);
  }

  /** @return the rank of the Softmax's input, declared on its input or output */
  private static Optional<Integer> rank(Graph g, Node n) {
    return g.valueInfo(n.input(0)).or(() -> g.valueInfo(n.output(0))).flatMap(ValueInfo::shape)
        .map(s -> s.length);
  }

  private static void rewrite(Graph g, Node n) {
    switch (n.opType()) {
      case "Slice" -> {
        n.setInput(1, constant(g, n, "starts", ints(n.attrInts("starts").orElseThrow())));
        n.setInput(2, constant(g, n, "ends", ints(n.attrInts("ends").orElseThrow())));
        n.attrInts("axes").ifPresent(a -> n.setInput(3, constant(g, n, "axes", ints(a))));
        n.removeAttr("starts");
        n.removeAttr("ends");
        n.removeAttr("axes");
      }
      case "Clip" -> {
        // an absent bound stays an omitted input: no clipping on that side, as before
        if (n.hasAttribute("min")) {
          n.setInput(1, constant(g, n, "min", Tensor.scalar(n.attrFloat("min", 0))));
        }
        if (n.hasAttribute("max")) {
          n.setInput(2, constant(g, n, "max", Tensor.scalar(n.attrFloat("max", 0))));
        }
        n.removeAttr("min");
        n.removeAttr("max");
      }
      default -> n.setAttr("axis", -1L);
    }
  }

  private static Tensor ints(long[] values) {
    return Tensor.ofInt64s(new long[] {values.length}, values);
  }

  private static String constant(Graph g, Node n, String what, Tensor value) {
    String name = g.uniqueValueName(n.name() + "." + what);
    g.setInitializer(name, value);
    return name;
  }
}
