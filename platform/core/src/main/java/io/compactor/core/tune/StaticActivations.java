package io.compactor.core.tune;

import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The activations static INT8 quantizes, the candidates of float fallback ({@code compactor_float_activations}).
 * The INT8 step quantizes the first input of each layer (one range per tensor, shared by every layer reading it)
 * and the output of a Conv (after a folded BatchNormalization and a Relu that are its only readers) that no
 * quantized layer reads; it quantizes nothing else, so a residual Add or a Softmax input is a candidate only
 * where a quantized layer reads it.
 */
final class StaticActivations {
  private StaticActivations() {}

  /**
   * One activation tensor.
   *
   * @param tensor the ONNX value name, as {@code compactor_float_activations} names it
   * @param role what produces it, for a person: {@code LayerNorm output}, {@code residual Add}, …
   * @param readers the INT8 operators that read it quantized (a Conv whose output it is, for a Conv output)
   */
  record Target(String tensor, String role, List<String> readers) {
    Target {
      Objects.requireNonNull(tensor, "tensor");
      Objects.requireNonNull(role, "role");
      readers = List.copyOf(readers);
    }
  }

  /**
   * @param g the graph
   * @param operators the compressible operators; those that may take INT8 count
   * @param keptFloat tensors the base configuration already keeps float
   * @return every tensor static INT8 of all those operators would quantize, in the operators' order
   */
  static List<Target> of(Graph g, List<Operator> operators, Collection<String> keptFloat) {
    Map<String, List<String>> readers = new LinkedHashMap<>();
    List<Operator> int8 = operators.stream().filter(Operator::int8).filter(o -> !o.opType().equals("Gather")).toList();
    for (Operator op : int8) {
      String input = g.node(op.node()).orElseThrow().input(0);
      if (!g.hasInitializer(input)) {
        readers.computeIfAbsent(input, k -> new ArrayList<>()).add(op.node());
      }
    }
    for (Operator op : int8) {
      if (op.opType().equals("Conv")) {
        convOutput(g, g.node(op.node()).orElseThrow()).filter(v -> !readers.containsKey(v))
            .ifPresent(v -> readers.put(v, List.of(op.node())));
      }
    }
    List<Target> out = new ArrayList<>();
    readers.forEach((tensor, nodes) -> {
      if (!keptFloat.contains(tensor)) {
        out.add(new Target(tensor, role(g, tensor), nodes));
      }
    });
    return out;
  }

  /**
   * The Conv's output, past a BatchNormalization (the step folds it into the Conv) and a Relu that are its only
   * readers; none when it is a graph output or unread.
   */
  private static Optional<String> convOutput(Graph g, Node conv) {
    String value = conv.output(0);
    for (String next : List.of("BatchNormalization", "Relu")) {
      List<Node> readers = g.consumers(value);
      if (readers.size() == 1 && readers.get(0).opType().equals(next)) {
        value = readers.get(0).output(0);
      }
    }
    String v = value;
    boolean output = g.outputs().stream().anyMatch(o -> o.name().equals(v));
    return output || g.consumers(v).isEmpty() ? Optional.empty() : Optional.of(v);
  }

  /**
   * @return what produces the tensor: a LayerNorm (the operator, or the decomposed form's last Add or Mul after
   *     a division by a square root), an Add of two activations (residual), a GELU (the operator, or a Mul a few
   *     steps after an Erf or Tanh), the attention context (a Reshape or Transpose a few steps after a Softmax),
   *     a graph input, else the producer's op type
   */
  static String role(Graph g, String tensor) {
    Optional<Node> producer = g.producer(tensor);
    if (producer.isEmpty()) {
      return "graph input";
    }
    Node p = producer.get();
    String op = p.opType();
    if (op.equals("LayerNormalization") || op.equals("SimplifiedLayerNormalization") || decomposedLayerNorm(g, p)) {
      return "LayerNorm output";
    }
    if (op.equals("Add") && p.inputs().stream().noneMatch(g::isConstant)) {
      return "residual Add";
    }
    if (op.equals("Gelu") || op.equals("FastGelu") || op.equals("Mul") && upstream(g, p, 3, "Erf", "Tanh")) {
      return "GELU output";
    }
    if ((op.equals("Reshape") || op.equals("Transpose")) && upstream(g, p, 3, "Softmax")) {
      return "attention context (Softmax · V)";
    }
    return op + " output";
  }

  /** @return whether an operator of one of {@code types} produces an input of {@code n} within {@code depth} steps */
  private static boolean upstream(Graph g, Node n, int depth, String... types) {
    if (depth == 0) {
      return false;
    }
    for (String in : n.inputs()) {
      Optional<Node> p = g.producer(in);
      if (p.isPresent() && (List.of(types).contains(p.get().opType()) || upstream(g, p.get(), depth - 1, types))) {
        return true;
      }
    }
    return false;
  }

  /** {@code (x − mean) / sqrt(var + ε) · γ + β}: an Add or Mul with a constant, fed by a Mul or Div of a Sqrt. */
  private static boolean decomposedLayerNorm(Graph g, Node p) {
    Node n = p;
    for (int step = 0; step < 2; step++) {
      if (!(n.opType().equals("Add") || n.opType().equals("Mul")) || n.inputs().stream().noneMatch(g::isConstant)) {
        break;
      }
      Optional<Node> prev = n.inputs().stream().filter(i -> !g.isConstant(i)).findFirst().flatMap(g::producer);
      if (prev.isEmpty()) {
        return false;
      }
      n = prev.get();
    }
    return n.opType().equals("Div") && n.inputs().size() == 2
        && g.producer(n.input(1)).map(d -> d.opType().equals("Sqrt")).orElse(false);
  }
}
