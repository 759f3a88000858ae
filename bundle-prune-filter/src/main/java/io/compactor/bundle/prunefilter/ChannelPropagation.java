package io.compactor.bundle.prunefilter;

import io.compactor.bundle.prunefilter.ChannelLayout.Axis;
import io.compactor.bundle.prunefilter.ChannelLayout.Segment;
import io.compactor.bundle.prunefilter.GroupMember.Role;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.graph.ValueInfo;
import io.compactor.onnx.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Builds channel groups by following every prunable producer's output channels forward through the graph
 * (AMCT's prune-record propagation, section 4.2 of the AMCT reference): normalizations and per-channel
 * constants shrink with them, channel-independent ops pass them on, elementwise ops with several channel
 * operands (residual Add, SE Mul) merge the groups they pair, Concat shifts them by the channels before
 * them, depthwise convolutions are pruned passively, Flatten folds space into them for a following Gemm,
 * and convolutions, Gemm and MatMul consume them as input channels. Anything else, a graph output or a
 * sub-graph read blocks every group it sees, with the reason. Works on any graph; does not modify it.
 * This class walks the graph and handles producers and elementwise ops; {@link ConsumerRules} and
 * {@link ShapeRules} hold the rules of the other node kinds, {@link PropagationState} what the walk knows.
 */
final class ChannelPropagation {
  private final PropagationState state;
  private final Graph graph;
  private final GroupBuilder groups;
  private final ConsumerRules consumers;
  private final ShapeRules shapes;

  private ChannelPropagation(Graph graph, long opset) {
    this.state = new PropagationState(graph, opset);
    this.graph = graph;
    this.groups = state.groups();
    this.consumers = new ConsumerRules(state);
    this.shapes = new ShapeRules(state);
  }

  /** @return every group of the model, blocked ones included, in topological order of their first producer */
  static List<ChannelGroup> analyse(OnnxModel model) {
    return analyse(model.graph(), model.opset());
  }

  /**
   * @param opset the default-domain opset the graph's ops follow (Softmax and Resize changed meaning)
   * @return every group of the graph, blocked ones included, in topological order of their first producer
   */
  static List<ChannelGroup> analyse(Graph graph, long opset) {
    ChannelPropagation p = new ChannelPropagation(graph, opset);
    p.run();
    return p.groups.build();
  }

  private void run() {
    for (Node n : graph.topologicalOrder()) {
      boolean carries = n.inputs().stream().anyMatch(state::carries)
          || n.implicitInputs().stream().anyMatch(state::carries);
      if (carries) {
        visit(n);
      }
      if (ChannelOps.PRODUCERS.contains(n.opType()) && n.domain().isEmpty()
          && FilterProducer.check(graph, n, ChannelOps.PRODUCERS).eligible()) {
        open(n);
      }
    }
    for (ValueInfo out : graph.outputs()) {
      ChannelLayout l = state.layout(out.name());
      if (l != null) {
        state.blockAll(l, "its channels reach the graph output '" + out.name() + "', whose shape must stay");
      }
    }
  }

  private void open(Node n) {
    String w = n.input(1);
    List<Cut> cuts = new ArrayList<>(List.of(Cut.of(w, FilterProducer.filterAxis(n))));
    if (!n.opType().equals("MatMul") && n.inputs().size() > 2 && !n.input(2).isEmpty()) {
      long[] bias = graph.initializerShape(n.input(2)).orElseThrow();
      if (Tensor.elementCount(bias) > 1) {
        cuts.add(Cut.of(n.input(2), bias.length - 1));
      }
    }
    int width = FilterProducer.filters(graph, n);
    int group = groups.open(new GroupMember(n.name(), Role.PRODUCER, cuts), width);
    ChannelLayout out = n.opType().equals("Conv") ? ChannelLayout.of(Axis.SECOND, 4, width, group)
        : ChannelLayout.of(Axis.LAST, n.opType().equals("Gemm") ? 2 : -1, width, group);
    state.publish(n.output(0), out);
  }

  private void visit(Node n) {
    if (!n.domain().isEmpty()) {
      state.stop(n, "op " + n.domain() + "." + n.opType() + " is not known to keep channels independent");
      return;
    }
    if (n.implicitInputs().stream().anyMatch(state::carries)) {
      state.stop(n, "its sub-graph reads the channels, which Compactor does not follow");
      return;
    }
    String op = n.opType();
    if (ChannelOps.ELEMENTWISE_UNARY.contains(op)) {
      passThrough(n);
    } else if (ChannelOps.ELEMENTWISE_NARY.contains(op)) {
      elementwise(n);
    } else if (ChannelOps.SPATIAL.contains(op)) {
      shapes.spatial(n);
    } else if (ChannelOps.AXIS_NORMALIZING.contains(op)) {
      shapes.normalizingAxis(n);
    } else if (ChannelOps.REDUCING.contains(op)) {
      shapes.reduce(n);
    } else {
      switch (op) {
        case "Conv" -> consumers.conv(n);
        case "ConvTranspose" -> consumers.convTranspose(n);
        case "Gemm", "MatMul" -> consumers.dense(n);
        case "BatchNormalization" -> consumers.normalization(n, 4);
        case "InstanceNormalization" -> consumers.normalization(n, 2);
        case "Concat" -> shapes.concat(n);
        case "Flatten" -> shapes.flatten(n, n.attrInt("axis", 1));
        case "Reshape" -> shapes.reshape(n);
        case "Pad" -> shapes.pad(n);
        case "Resize", "Upsample" -> shapes.resize(n);
        default -> state.stop(n, "op " + op + " is not known to keep channels independent");
      }
    }
  }

  private void passThrough(Node n) {
    state.dataInput(n).ifPresent(in -> {
      if (n.opType().equals("Dropout") && n.outputs().size() > 1 && state.used(n.output(1))) {
        state.stop(n, "its mask output is used");
        return;
      }
      state.publish(n.output(0), in);
    });
  }

  private void elementwise(Node n) {
    List<ChannelLayout> operands = new ArrayList<>();
    List<String> constants = new ArrayList<>();
    for (String v : n.inputs()) {
      if (v.isEmpty()) {
        continue;
      }
      ChannelLayout l = state.layout(v);
      if (l != null) {
        operands.add(l);
      } else if (graph.isConstant(v)) {
        constants.add(v);
      } else {
        state.stop(n, "it combines the pruned channels with '" + v + "', whose channels are not pruned with them");
        return;
      }
    }
    ChannelLayout first = operands.get(0);
    for (ChannelLayout other : operands.subList(1, operands.size())) {
      if (!first.alignsWith(other) || !sameGroupWidths(first, other)) {
        state.stop(n, "its operands hold different channel ranges (" + state.describe(first) + " and "
            + state.describe(other)
            + "), so their channels cannot be removed at the same indices");
        return;
      }
    }
    List<GroupMember> slices = new ArrayList<>();
    for (String c : constants) {
      long[] shape = graph.initializerShape(c).orElseThrow();
      OptionalInt axis = constantChannelAxis(first, shape.length);
      if (axis.isEmpty() || shape[axis.getAsInt()] == 1) {
        continue;
      }
      long dim = shape[axis.getAsInt()];
      if (first.block() != 1 || dim != first.width()) {
        state.stop(n, "constant '" + c + "' of shape " + Arrays.toString(shape)
            + " does not hold one value per channel ("
            + first.width() + ")");
        return;
      }
      Optional<String> why = state.unsliceable(n, c);
      if (why.isPresent()) {
        state.stop(n, why.get());
        return;
      }
      slices.add(new GroupMember(n.name(), Role.CHANNEL_CONSTANT, List.of(Cut.of(c, axis.getAsInt()))));
    }
    for (ChannelLayout other : operands.subList(1, operands.size())) {
      for (int i = 0; i < first.segments().size(); i++) {
        groups.merge(first.segments().get(i).group(), other.segments().get(i).group());
      }
    }
    for (Segment s : first.segments()) {
      slices.forEach(m -> groups.add(s.group(), m.at(s.offset(), 1)));
    }
    state.publish(n.output(0), first);
  }

  private boolean sameGroupWidths(ChannelLayout a, ChannelLayout b) {
    for (int i = 0; i < a.segments().size(); i++) {
      if (groups.width(a.segments().get(i).group()) != groups.width(b.segments().get(i).group())) {
        return false;
      }
    }
    return true;
  }

  /**
   * @return the axis of a broadcast constant of {@code constantRank} that meets the layout's channel axis,
   *     empty when the constant does not reach it (broadcast over channels)
   */
  private static OptionalInt constantChannelAxis(ChannelLayout l, int constantRank) {
    if (constantRank == 0) {
      return OptionalInt.empty();
    }
    if (l.axis() == Axis.LAST) {
      return OptionalInt.of(constantRank - 1);
    }
    int axis = constantRank - (l.rank() - 1);
    return axis < 0 ? OptionalInt.empty() : OptionalInt.of(axis);
  }

}
