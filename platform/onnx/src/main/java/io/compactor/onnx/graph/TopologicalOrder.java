package io.compactor.onnx.graph;

import io.compactor.onnx.ModelException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/** Kahn's algorithm over a graph's producer/consumer index; ties keep file order. */
final class TopologicalOrder {
  private TopologicalOrder() {}

  /** @see Graph#topologicalOrder() */
  static List<Node> of(Graph graph) {
    List<Node> nodes = graph.nodeList();
    Map<String, Node> producers = graph.producerIndex();
    Map<String, List<Node>> consumers = graph.consumerIndex();
    Map<Node, Integer> pending = new IdentityHashMap<>();
    Map<Node, Integer> position = new IdentityHashMap<>();
    for (int i = 0; i < nodes.size(); i++) {
      Node n = nodes.get(i);
      position.put(n, i);
      Set<Node> deps = Collections.newSetFromMap(new IdentityHashMap<>());
      for (String in : Graph.readValues(n)) {
        Node p = in.isEmpty() ? null : producers.get(in);
        if (p != null && p != n) {
          deps.add(p);
        }
      }
      pending.put(n, deps.size());
    }
    PriorityQueue<Node> ready = new PriorityQueue<>(
        (a, b) -> Integer.compare(position.get(a), position.get(b)));
    pending.forEach((n, count) -> {
      if (count == 0) {
        ready.add(n);
      }
    });
    List<Node> order = new ArrayList<>(nodes.size());
    while (!ready.isEmpty()) {
      Node n = ready.poll();
      order.add(n);
      Set<Node> released = Collections.newSetFromMap(new IdentityHashMap<>());
      for (String out : n.outputs()) {
        released.addAll(consumers.getOrDefault(out, List.of()));
      }
      for (Node c : released) {
        if (c != n && pending.merge(c, -1, Integer::sum) == 0) {
          ready.add(c);
        }
      }
    }
    if (order.size() != nodes.size()) {
      Node stuck = nodes.stream().filter(n -> pending.get(n) > 0).findFirst().orElseThrow();
      throw new ModelException(graph.modelName(), stuck.name(), "the graph has a cycle through this node");
    }
    return order;
  }
}
