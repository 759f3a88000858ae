package io.compactor.bundle.prunefilter;

import io.compactor.bundle.prunefilter.ChannelLayout.Axis;
import io.compactor.bundle.prunefilter.ChannelLayout.Segment;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.tensor.ElementType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What one propagation walk knows so far: the channel layout of every value reached and the groups being
 * built, with the operations every rule shares (pass channels on, stop them with a reason, check that an
 * initializer may be sliced).
 */
final class PropagationState {
  private final Graph graph;
  private final long opset;
  private final GroupBuilder groups = new GroupBuilder();
  private final Map<String, ChannelLayout> layouts = new HashMap<>();

  PropagationState(Graph graph, long opset) {
    this.graph = graph;
    this.opset = opset;
  }

  Graph graph() {
    return graph;
  }

  long opset() {
    return opset;
  }

  GroupBuilder groups() {
    return groups;
  }

  /** @return the layout of {@code value}, or null when it carries no followed channels */
  ChannelLayout layout(String value) {
    return layouts.get(value);
  }

  /** @return whether {@code value} carries followed channels */
  boolean carries(String value) {
    return layouts.containsKey(value);
  }

  /** Records that {@code value} carries {@code layout}. */
  void publish(String value, ChannelLayout layout) {
    layouts.put(value, layout);
    layout.segments().forEach(s -> groups.carries(s.group(), value));
  }

  /** The layout of input 0; stops the node when another input carries channels too. */
  Optional<ChannelLayout> dataInput(Node n) {
    ChannelLayout in = layouts.get(n.input(0));
    for (int i = 1; i < n.inputs().size(); i++) {
      if (layouts.containsKey(n.input(i))) {
        stop(n, "input " + i + " ('" + n.input(i) + "') carries pruned channels where only input 0 may");
        return Optional.empty();
      }
    }
    if (in == null) {
      stop(n, "pruned channels arrive at an input other than the data input");
      return Optional.empty();
    }
    return Optional.of(in);
  }

  /** @return whether {@code axis} (maybe negative) is, or may be, the layout's channel axis */
  static boolean onChannelAxis(ChannelLayout in, long axis) {
    if (in.rank() < 0) {
      return axis < 0 ? axis == -1 : true;
    }
    long a = axis < 0 ? axis + in.rank() : axis;
    return a == (in.axis() == Axis.SECOND ? 1 : in.rank() - 1);
  }

  /** @return input {@code i} of {@code n}, empty when absent */
  static String input(Node n, int i) {
    return i < n.inputs().size() ? n.input(i) : "";
  }

  /** @return why an initializer cannot be sliced for one node, if it cannot */
  Optional<String> unsliceable(Node n, String tensor) {
    if (!graph.isConstant(tensor)) {
      return Optional.of("'" + tensor + "' is not a constant initializer, so it cannot shrink with the channels");
    }
    if (graph.initializerTypeCode(tensor) != ElementType.FLOAT.onnxCode()) {
      return Optional.of("'" + tensor + "' is " + ElementType.onnxName(graph.initializerTypeCode(tensor))
          + ", not FLOAT");
    }
    List<String> others = graph.consumers(tensor).stream().filter(u -> u != n).map(Node::name).toList();
    if (!others.isEmpty()) {
      return Optional.of("'" + tensor + "' is shared with " + others + ", which would change too");
    }
    return Optional.empty();
  }

  /** @return whether a node or the graph output reads {@code value} */
  boolean used(String value) {
    return !value.isEmpty() && (!graph.consumers(value).isEmpty()
        || graph.outputs().stream().anyMatch(o -> o.name().equals(value)));
  }

  /** Blocks every group that reaches {@code n}. */
  void stop(Node n, String why) {
    Set<String> read = new LinkedHashSet<>(n.inputs());
    read.addAll(n.implicitInputs());
    String reason = "stopped at " + n.opType() + " '" + n.name() + "': " + why;
    for (String v : read) {
      ChannelLayout l = layouts.get(v);
      if (l != null) {
        blockAll(l, reason);
      }
    }
  }

  /** Blocks every group of {@code l}. */
  void blockAll(ChannelLayout l, String reason) {
    l.segments().forEach(s -> groups.block(s.group(), reason));
  }

  /** @return the layout's channel ranges, for messages */
  String describe(ChannelLayout l) {
    List<String> parts = new ArrayList<>();
    for (Segment s : l.segments()) {
      parts.add(s.offset() + "+" + groups.width(s.group()));
    }
    return l.width() + " channels " + parts;
  }
}
