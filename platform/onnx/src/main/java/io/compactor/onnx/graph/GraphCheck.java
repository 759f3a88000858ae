package io.compactor.onnx.graph;

import io.compactor.onnx.ModelException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Well-formedness of a rewritten graph, every problem named in one message. */
final class GraphCheck {
  private GraphCheck() {}

  /** @see Graph#check() */
  static void run(Graph graph) {
    List<String> problems = new ArrayList<>();
    Set<String> names = new HashSet<>();
    Set<String> defined = new HashSet<>(graph.initializerMap().keySet());
    graph.inputList().forEach(v -> defined.add(v.name()));
    Set<String> produced = new HashSet<>();
    List<Node> nodes = graph.nodeList();
    for (Node n : nodes) {
      if (!names.add(n.name())) {
        problems.add("node name '" + n.name() + "' is used twice");
      }
      for (String out : n.outputs()) {
        if (!out.isEmpty() && (!produced.add(out) || defined.contains(out))) {
          problems.add("value '" + out + "' is defined twice (again by node '" + n.name() + "')");
        }
      }
    }
    defined.addAll(produced);
    for (Node n : nodes) {
      for (String in : Graph.readValues(n)) {
        if (!in.isEmpty() && !defined.contains(in)) {
          problems.add("node '" + n.name() + "' reads '" + in + "', which nothing defines");
        }
      }
    }
    graph.outputs().stream().filter(o -> !defined.contains(o.name()))
        .forEach(o -> problems.add("graph output '" + o.name() + "' is not produced"));
    if (!problems.isEmpty()) {
      throw new ModelException(graph.modelName(), null, "invalid graph: " + String.join("; ", problems));
    }
    TopologicalOrder.of(graph);
  }
}
