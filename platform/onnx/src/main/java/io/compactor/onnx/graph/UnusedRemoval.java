package io.compactor.onnx.graph;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Dead-code removal: walks back from the graph outputs and drops what no output depends on. */
final class UnusedRemoval {
  private UnusedRemoval() {}

  /** @see Graph#removeUnused() */
  static int run(Graph graph) {
    Set<String> live = new HashSet<>();
    graph.outputs().forEach(o -> live.add(o.name()));
    Deque<String> work = new ArrayDeque<>(live);
    Map<String, Node> producers = graph.producerIndex();
    Set<Node> kept = Collections.newSetFromMap(new IdentityHashMap<>());
    while (!work.isEmpty()) {
      Node p = producers.get(work.pop());
      if (p != null && kept.add(p)) {
        Graph.readValues(p).stream().filter(v -> !v.isEmpty() && live.add(v)).forEach(work::push);
      }
    }
    List<Node> nodes = graph.nodeList();
    int before = nodes.size();
    nodes.removeIf(n -> !kept.contains(n));
    graph.initializerMap().keySet().removeIf(name -> !live.contains(name));
    graph.invalidate();
    return before - nodes.size();
  }
}
