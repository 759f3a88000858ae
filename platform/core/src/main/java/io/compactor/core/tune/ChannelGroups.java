package io.compactor.core.tune;

import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which filter-pruning operators must be pruned together: producers whose output channels meet at a residual
 * {@code Add} (or another element-wise merge), followed through activations and depthwise convolutions. The
 * filter-pruning bundle prunes such partners together or not at all (the minimum ratio of the group), so the
 * search gives a group one ratio. A cheap approximation of the bundle's own propagation, used only to rank.
 */
final class ChannelGroups {
  /** Ops that pass their input's channels on unchanged in layout. */
  private static final Set<String> PASS = Set.of("Relu", "Clip", "LeakyRelu", "Sigmoid", "Tanh", "HardSigmoid",
      "HardSwish", "Identity", "BatchNormalization", "Dropout", "PRelu", "Elu", "Selu", "Softplus", "Erf", "Gelu");
  private static final Set<String> MERGE = Set.of("Add", "Sub", "Mul", "Div", "Max", "Min", "Sum", "Mean");

  private ChannelGroups() {}

  /**
   * @param graph the model's graph (constants as initializers)
   * @param producers the filter-pruning operators
   * @return the groups, each in the order of {@code producers}; every producer in exactly one
   */
  static List<List<String>> of(Graph graph, List<String> producers) {
    Map<String, String> parent = new HashMap<>();
    producers.forEach(p -> parent.put(p, p));
    for (Node n : graph.nodes()) {
      if (!MERGE.contains(n.opType())) {
        continue;
      }
      List<String> sources = new ArrayList<>();
      for (String in : n.inputs()) {
        if (!in.isEmpty() && !graph.isConstant(in)) {
          source(graph, in, parent, 0).ifPresent(sources::add);
        }
      }
      for (int i = 1; i < sources.size(); i++) {
        union(parent, sources.get(0), sources.get(i));
      }
    }
    Map<String, List<String>> groups = new LinkedHashMap<>();
    for (String p : producers) {
      groups.computeIfAbsent(find(parent, p), k -> new ArrayList<>()).add(p);
    }
    return List.copyOf(groups.values());
  }

  /**
   * @param graph the model's graph
   * @param producer a filter-pruning operator
   * @param operators the compressible operators
   * @return the operators that read the producer's channels (through activations, depthwise convolutions and
   *     merges) and so lose the same input channels when it is pruned
   */
  static List<String> consumers(Graph graph, String producer, Set<String> operators) {
    List<String> out = new ArrayList<>();
    List<String> values = new ArrayList<>(graph.node(producer).orElseThrow().outputs());
    java.util.Set<String> seen = new java.util.HashSet<>();
    while (!values.isEmpty()) {
      String v = values.remove(values.size() - 1);
      if (!seen.add(v)) {
        continue;
      }
      for (Node n : graph.consumers(v)) {
        boolean depthwise = n.opType().equals("Conv") && n.attrInt("group", 1) > 1;
        if (operators.contains(n.name()) && !depthwise) {
          if (!out.contains(n.name())) {
            out.add(n.name());
          }
        } else if (PASS.contains(n.opType()) || depthwise || MERGE.contains(n.opType())) {
          values.addAll(n.outputs());
        }
      }
    }
    return out;
  }

  /** @return the producer whose channels a value carries, followed back through pass-through ops and merges */
  private static Optional<String> source(Graph g, String value, Map<String, String> parent, int depth) {
    Optional<Node> producer = g.producer(value);
    if (producer.isEmpty() || depth > 64) {
      return Optional.empty();
    }
    Node n = producer.get();
    if (parent.containsKey(n.name())) {
      return Optional.of(n.name());
    }
    boolean depthwise = n.opType().equals("Conv") && n.attrInt("group", 1) > 1;
    if (PASS.contains(n.opType()) || depthwise) {
      return source(g, n.input(0), parent, depth + 1);
    }
    if (MERGE.contains(n.opType())) {
      // a merge's operands are already one group; any of them names it
      for (String in : n.inputs()) {
        if (!in.isEmpty() && !g.isConstant(in)) {
          Optional<String> s = source(g, in, parent, depth + 1);
          if (s.isPresent()) {
            return s;
          }
        }
      }
    }
    return Optional.empty();
  }

  private static String find(Map<String, String> parent, String x) {
    while (!parent.get(x).equals(x)) {
      x = parent.get(x);
    }
    return x;
  }

  private static void union(Map<String, String> parent, String a, String b) {
    String ra = find(parent, a);
    String rb = find(parent, b);
    if (!ra.equals(rb)) {
      parent.put(rb, ra);
    }
  }
}
