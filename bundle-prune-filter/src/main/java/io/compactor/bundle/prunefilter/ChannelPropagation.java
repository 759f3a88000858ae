package io.compactor.bundle.prunefilter;

import io.compactor.bundle.prunefilter.ChannelLayout.Axis;
import io.compactor.bundle.prunefilter.ChannelLayout.Segment;
import io.compactor.bundle.prunefilter.GroupMember.Role;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.graph.ValueInfo;
import io.compactor.onnx.tensor.ElementType;
import io.compactor.onnx.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Builds channel groups by following every prunable producer's output channels forward through the graph
 * (AMCT's prune-record propagation, section 4.2 of the AMCT reference): normalizations and per-channel
 * constants shrink with them, channel-independent ops pass them on, elementwise ops with several channel
 * operands (residual Add, SE Mul) merge the groups they pair, Concat shifts them by the channels before
 * them, depthwise convolutions are pruned passively, Flatten folds space into them for a following Gemm,
 * and convolutions, Gemm and MatMul consume them as input channels. Anything else, a graph output or a
 * sub-graph read blocks every group it sees, with the reason. Works on any graph; does not modify it.
 */
final class ChannelPropagation {
  private final long opset;
  private final Graph graph;
  private final GroupBuilder groups = new GroupBuilder();
  private final Map<String, ChannelLayout> layouts = new HashMap<>();

  private ChannelPropagation(Graph graph, long opset) {
    this.graph = graph;
    this.opset = opset;
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
      boolean carries = n.inputs().stream().anyMatch(layouts::containsKey)
          || n.implicitInputs().stream().anyMatch(layouts::containsKey);
      if (carries) {
        visit(n);
      }
      if (ChannelOps.PRODUCERS.contains(n.opType()) && n.domain().isEmpty()
          && FilterProducer.check(graph, n, ChannelOps.PRODUCERS).eligible()) {
        open(n);
      }
    }
    for (ValueInfo out : graph.outputs()) {
      ChannelLayout l = layouts.get(out.name());
      if (l != null) {
        blockAll(l, "its channels reach the graph output '" + out.name() + "', whose shape must stay");
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
    publish(n.output(0), out);
  }

  private void publish(String value, ChannelLayout layout) {
    layouts.put(value, layout);
    layout.segments().forEach(s -> groups.carries(s.group(), value));
  }

  private void visit(Node n) {
    if (!n.domain().isEmpty()) {
      stop(n, "op " + n.domain() + "." + n.opType() + " is not known to keep channels independent");
      return;
    }
    if (n.implicitInputs().stream().anyMatch(layouts::containsKey)) {
      stop(n, "its sub-graph reads the channels, which Compactor does not follow");
      return;
    }
    String op = n.opType();
    if (ChannelOps.ELEMENTWISE_UNARY.contains(op)) {
      passThrough(n);
    } else if (ChannelOps.ELEMENTWISE_NARY.contains(op)) {
      elementwise(n);
    } else if (ChannelOps.SPATIAL.contains(op)) {
      spatial(n);
    } else if (ChannelOps.AXIS_NORMALIZING.contains(op)) {
      normalizingAxis(n);
    } else if (ChannelOps.REDUCING.contains(op)) {
      reduce(n);
    } else {
      switch (op) {
        case "Conv" -> conv(n);
        case "ConvTranspose" -> convTranspose(n);
        case "Gemm", "MatMul" -> dense(n);
        case "BatchNormalization" -> normalization(n, 4);
        case "InstanceNormalization" -> normalization(n, 2);
        case "Concat" -> concat(n);
        case "Flatten" -> flatten(n, n.attrInt("axis", 1));
        case "Reshape" -> reshape(n);
        case "Pad" -> pad(n);
        case "Resize", "Upsample" -> resize(n);
        default -> stop(n, "op " + op + " is not known to keep channels independent");
      }
    }
  }

  /** The layout of input 0; stops the node when another input carries channels too. */
  private Optional<ChannelLayout> dataInput(Node n) {
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

  private void passThrough(Node n) {
    dataInput(n).ifPresent(in -> {
      if (n.opType().equals("Dropout") && n.outputs().size() > 1 && used(n.output(1))) {
        stop(n, "its mask output is used");
        return;
      }
      publish(n.output(0), in);
    });
  }

  private void spatial(Node n) {
    dataInput(n).ifPresent(in -> {
      if (in.axis() != Axis.SECOND) {
        stop(n, "pools over spatial axes but the channels are on the last axis");
      } else if (n.outputs().size() > 1 && used(n.output(1))) {
        stop(n, "its indices output numbers elements across channels");
      } else {
        publish(n.output(0), in);
      }
    });
  }

  private void normalizingAxis(Node n) {
    dataInput(n).ifPresent(in -> {
      long axis = n.attrInt("axis", opset >= 13 ? -1 : 1);
      if (opset < 13) {
        // before opset 13 these ops flatten every axis from `axis` on, the channel axis included unless last
        stop(n, "before opset 13 it normalizes over all axes from " + axis + " on, channels included");
        return;
      }
      if (onChannelAxis(in, axis)) {
        stop(n, "it normalizes over the channel axis; removing channels would change every output");
      } else {
        publish(n.output(0), in);
      }
    });
  }

  /** @return whether {@code axis} (maybe negative) is, or may be, the layout's channel axis */
  private static boolean onChannelAxis(ChannelLayout in, long axis) {
    if (in.rank() < 0) {
      return axis < 0 ? axis == -1 : true;
    }
    long a = axis < 0 ? axis + in.rank() : axis;
    return a == (in.axis() == Axis.SECOND ? 1 : in.rank() - 1);
  }

  private void reduce(Node n) {
    dataInput(n).ifPresent(in -> {
      if (n.attrInt("keepdims", 1) != 1) {
        stop(n, "keepdims = 0 moves the channel axis");
        return;
      }
      Optional<long[]> axes = n.attrInts("axes");
      if (axes.isEmpty() && n.inputs().size() > 1 && graph.isConstant(n.input(1))) {
        axes = graph.initializer(n.input(1)).map(Tensor::toLongs);
      }
      if (axes.isEmpty() || axes.get().length == 0) {
        stop(n, "it reduces every axis, the channel axis included");
        return;
      }
      if (Arrays.stream(axes.get()).anyMatch(a -> onChannelAxis(in, a))) {
        stop(n, "it reduces over the channel axis");
      } else {
        publish(n.output(0), in);
      }
    });
  }

  private void elementwise(Node n) {
    List<ChannelLayout> operands = new ArrayList<>();
    List<String> constants = new ArrayList<>();
    for (String v : n.inputs()) {
      if (v.isEmpty()) {
        continue;
      }
      ChannelLayout l = layouts.get(v);
      if (l != null) {
        operands.add(l);
      } else if (graph.isConstant(v)) {
        constants.add(v);
      } else {
        stop(n, "it combines the pruned channels with '" + v + "', whose channels are not pruned with them");
        return;
      }
    }
    ChannelLayout first = operands.get(0);
    for (ChannelLayout other : operands.subList(1, operands.size())) {
      if (!first.alignsWith(other) || !sameGroupWidths(first, other)) {
        stop(n, "its operands hold different channel ranges (" + describe(first) + " and " + describe(other)
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
        stop(n, "constant '" + c + "' of shape " + Arrays.toString(shape) + " does not hold one value per channel ("
            + first.width() + ")");
        return;
      }
      Optional<String> why = unsliceable(n, c);
      if (why.isPresent()) {
        stop(n, why.get());
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
    publish(n.output(0), first);
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

  private void conv(Node n) {
    dataInput(n).ifPresent(in -> {
      if (in.axis() != Axis.SECOND) {
        stop(n, "convolves channels on axis 1 but they arrive on the last axis");
        return;
      }
      String w = n.input(1);
      if (!graph.isConstant(w)) {
        stop(n, "its weight '" + w + "' is not a constant");
        return;
      }
      long[] shape = graph.initializerShape(w).orElseThrow();
      long group = n.attrInt("group", 1);
      if (group == 1) {
        if (shape[1] != in.width()) {
          stop(n, "its weight reads " + shape[1] + " input channels but " + in.width() + " arrive");
          return;
        }
        consume(n, in, 1, 1);
      } else if (group == in.width() && shape[0] == group && shape[1] == 1) {
        depthwise(n, in);
      } else {
        grouped(n, in, (int) group, shape);
      }
    });
  }

  /**
   * A grouped convolution reads its input in {@code group} blocks; it can lose input channels only when one
   * group covers the whole input (AMCT: several records or a group mismatch disable pruning) and every block
   * loses as many.
   */
  private void grouped(Node n, ChannelLayout in, int group, long[] shape) {
    if (shape[1] * group != in.width() || shape[0] % group != 0) {
      stop(n, "grouped convolution (group = " + group + ", weight " + Arrays.toString(shape) + ") does not read "
          + in.width() + " channels in equal groups");
      return;
    }
    if (in.segments().size() != 1 || groups.width(in.segments().get(0).group()) != in.width()) {
      stop(n, "grouped convolution (group = " + group + ") reads channels of several groups (e.g. after a Concat); "
          + "they cannot be balanced across its groups");
      return;
    }
    Optional<String> why = unsliceable(n, n.input(1));
    if (why.isPresent()) {
      stop(n, why.get());
      return;
    }
    int g = in.segments().get(0).group();
    groups.add(g, new GroupMember(n.name(), Role.CONSUMER, List.of(new Cut(n.input(1), 1, 0, 1, group))));
    groups.balance(g, group, "grouped convolution '" + n.name() + "'");
  }

  /** A depthwise convolution's filters and bias follow its input channels; its output carries them on. */
  private void depthwise(Node n, ChannelLayout in) {
    List<Cut> cuts = new ArrayList<>(List.of(Cut.of(n.input(1), 0)));
    if (n.inputs().size() > 2 && !n.input(2).isEmpty()) {
      cuts.add(Cut.of(n.input(2), 0));
    }
    for (Cut c : cuts) {
      Optional<String> why = unsliceable(n, c.tensor());
      if (why.isPresent()) {
        stop(n, why.get());
        return;
      }
    }
    GroupMember member = new GroupMember(n.name(), Role.DEPTHWISE, cuts);
    in.segments().forEach(s -> groups.add(s.group(), member.at(s.offset(), 1)));
    publish(n.output(0), in);
  }

  private void convTranspose(Node n) {
    dataInput(n).ifPresent(in -> {
      if (in.axis() != Axis.SECOND || n.attrInt("group", 1) != 1) {
        stop(n, "only a ConvTranspose with group = 1 reading channels on axis 1 is pruned as a consumer");
        return;
      }
      long[] shape = graph.initializerShape(n.input(1)).orElse(new long[0]);
      if (shape.length == 0 || shape[0] != in.width()) {
        stop(n, "its weight is not a constant reading " + in.width() + " input channels on axis 0");
        return;
      }
      consume(n, in, 0, 1);
    });
  }

  /** Gemm and MatMul read the channels on the last axis; after a Flatten each channel spans a block of K. */
  private void dense(Node n) {
    dataInput(n).ifPresent(in -> {
      String w = n.input(1);
      if (!graph.isConstant(w) || graph.initializerShape(w).orElseThrow().length != 2) {
        stop(n, "its second operand '" + w + "' is not a constant 2-D weight, so it mixes the channels");
        return;
      }
      if (in.axis() != Axis.LAST) {
        stop(n, "reads its input's last axis but the channels are on axis 1 (add a Flatten)");
        return;
      }
      if (n.opType().equals("Gemm") && n.attrInt("transA", 0) != 0) {
        stop(n, "Gemm with transA = 1 reads its input transposed");
        return;
      }
      int axis = n.opType().equals("Gemm") && n.attrInt("transB", 0) != 0 ? 1 : 0;
      long k = graph.initializerShape(w).orElseThrow()[axis];
      long block = in.block() == 0 ? (k % in.width() == 0 ? k / in.width() : -1) : in.block();
      if (block < 1 || block * in.width() != k) {
        stop(n, "its weight reads " + k + " inputs, not a whole number per each of the " + in.width() + " channels");
        return;
      }
      consume(n, in, axis, (int) block);
    });
  }

  private void consume(Node n, ChannelLayout in, int axis, int block) {
    Optional<String> why = unsliceable(n, n.input(1));
    if (why.isPresent()) {
      stop(n, why.get());
      return;
    }
    GroupMember member = new GroupMember(n.name(), Role.CONSUMER, List.of(Cut.of(n.input(1), axis)));
    in.segments().forEach(s -> groups.add(s.group(), member.at(s.offset(), block)));
  }

  /** BatchNormalization (scale, B, mean, var) and InstanceNormalization (scale, B) on axis 1. */
  private void normalization(Node n, int parameters) {
    dataInput(n).ifPresent(in -> {
      if (in.axis() == Axis.LAST && in.rank() != 2) {
        stop(n, "normalizes axis 1 but the channels are on the last axis");
        return;
      }
      if (n.outputs().stream().skip(1).anyMatch(this::used)) {
        stop(n, "its training-mode statistics outputs are used");
        return;
      }
      List<Cut> cuts = new ArrayList<>();
      for (int i = 1; i <= parameters && i < n.inputs().size(); i++) {
        String p = n.input(i);
        Optional<String> why = unsliceable(n, p);
        long[] shape = graph.initializerShape(p).orElse(new long[0]);
        if (why.isEmpty() && (shape.length != 1 || shape[0] != in.width())) {
          why = Optional.of("parameter '" + p + "' of shape " + Arrays.toString(shape) + " is not one value per channel");
        }
        if (why.isPresent()) {
          stop(n, why.get());
          return;
        }
        cuts.add(Cut.of(p, 0));
      }
      GroupMember member = new GroupMember(n.name(), Role.NORMALIZATION, cuts);
      in.segments().forEach(s -> groups.add(s.group(), member.at(s.offset(), 1)));
      publish(n.output(0), in);
    });
  }

  private void concat(Node n) {
    long axis = n.attrInt("axis", 1);
    ChannelLayout shape = n.inputs().stream().map(layouts::get).filter(l -> l != null).findFirst().orElseThrow();
    if (!onChannelAxis(shape, axis) || shape.rank() < 0 && axis >= 0) {
      stop(n, "it concatenates along axis " + axis + ", not the channel axis");
      return;
    }
    List<Segment> segments = new ArrayList<>();
    int offset = 0;
    for (String v : n.inputs()) {
      ChannelLayout l = layouts.get(v);
      if (l != null) {
        if (l.axis() != shape.axis() || l.block() != 1) {
          stop(n, "its inputs hold channels on different axes");
          return;
        }
        for (Segment s : l.segments()) {
          segments.add(new Segment(s.group(), offset + s.offset()));
        }
        offset += l.width();
      } else {
        OptionalInt width = knownWidth(v, shape);
        if (width.isEmpty()) {
          stop(n, "the channel count of its input '" + v + "' is unknown, so the offsets after it are too");
          return;
        }
        offset += width.getAsInt();
      }
    }
    publish(n.output(0), new ChannelLayout(shape.axis(), shape.rank(), offset, 1, segments));
  }

  /** @return the channels of a value that carries no group: from its declared shape or its initializer */
  private OptionalInt knownWidth(String value, ChannelLayout like) {
    Optional<long[]> shape = graph.isConstant(value) ? graph.initializerShape(value)
        : graph.valueInfo(value).flatMap(ValueInfo::shape);
    if (shape.isEmpty() || shape.get().length < 2) {
      return OptionalInt.empty();
    }
    long[] s = shape.get();
    long dim = like.axis() == Axis.SECOND ? s[1] : s[s.length - 1];
    return dim > 0 ? OptionalInt.of(Math.toIntExact(dim)) : OptionalInt.empty();
  }

  private void flatten(Node n, long axis) {
    dataInput(n).ifPresent(in -> {
      if (in.axis() == Axis.SECOND && axis == 1) {
        publish(n.output(0), in.flattened());
      } else if (in.axis() == Axis.LAST && in.rank() == 2 && (axis == 1 || axis == -1)) {
        publish(n.output(0), in);
      } else {
        stop(n, "it flattens from axis " + axis + "; only flattening from axis 1 keeps whole channels together");
      }
    });
  }

  /** A Reshape to {@code [batch, -1]} of an axis-1 layout is a Flatten from axis 1. */
  private void reshape(Node n) {
    Optional<long[]> target = n.inputs().size() > 1 && graph.isConstant(n.input(1))
        ? graph.initializer(n.input(1)).map(Tensor::toLongs) : Optional.empty();
    ChannelLayout in = layouts.get(n.input(0));
    if (in != null && in.axis() == Axis.SECOND && target.isPresent() && target.get().length == 2
        && target.get()[1] == -1 && target.get()[0] >= 0) {
      flatten(n, 1);
    } else {
      stop(n, "Reshape moves channels unless it is a constant reshape to [batch, -1] of an N, C, ... tensor");
    }
  }

  private void pad(Node n) {
    dataInput(n).ifPresent(in -> {
      Optional<long[]> pads = n.attrInts("pads");
      if (pads.isEmpty() && n.inputs().size() > 1 && graph.isConstant(n.input(1))) {
        pads = graph.initializer(n.input(1)).map(Tensor::toLongs);
      }
      boolean axesGiven = n.inputs().size() > 3 && !n.input(3).isEmpty();
      int rank = in.rank();
      int channel = in.axis() == Axis.SECOND ? 1 : rank - 1;
      if (pads.isEmpty() || axesGiven || rank < 0 || pads.get().length != 2L * rank) {
        stop(n, "its pads are not constant for every axis, so they may pad the channel axis");
      } else if (pads.get()[channel] != 0 || pads.get()[channel + rank] != 0) {
        stop(n, "it pads the channel axis");
      } else {
        publish(n.output(0), in);
      }
    });
  }

  private void resize(Node n) {
    dataInput(n).ifPresent(in -> {
      boolean sizes = n.opType().equals("Resize") && n.inputs().size() > 3 && !n.input(3).isEmpty();
      String scalesInput = n.opType().equals("Upsample") || opset < 11 ? input(n, 1) : input(n, 2);
      Optional<float[]> scales = n.attrFloats("scales");
      if (scales.isEmpty() && !scalesInput.isEmpty() && graph.isConstant(scalesInput)) {
        scales = graph.initializer(scalesInput).map(Tensor::toFloats);
      }
      if (in.axis() != Axis.SECOND || sizes || scales.isEmpty() || scales.get().length < 2
          || scales.get()[1] != 1f) {
        stop(n, "it does not keep the channel count by constant scales (scale 1 on axis 1)");
      } else {
        publish(n.output(0), in);
      }
    });
  }

  private static String input(Node n, int i) {
    return i < n.inputs().size() ? n.input(i) : "";
  }

  /** @return why an initializer cannot be sliced for one node, if it cannot */
  private Optional<String> unsliceable(Node n, String tensor) {
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

  private boolean used(String value) {
    return !value.isEmpty() && (!graph.consumers(value).isEmpty()
        || graph.outputs().stream().anyMatch(o -> o.name().equals(value)));
  }

  /** Blocks every group that reaches {@code n}. */
  private void stop(Node n, String why) {
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

  private void blockAll(ChannelLayout l, String reason) {
    l.segments().forEach(s -> groups.block(s.group(), reason));
  }

  private String describe(ChannelLayout l) {
    List<String> parts = new ArrayList<>();
    for (Segment s : l.segments()) {
      parts.add(s.offset() + "+" + groups.width(s.group()));
    }
    return l.width() + " channels " + parts;
  }
}
