package io.compactor.bundle.prunefilter;

import io.compactor.bundle.prunefilter.ChannelLayout.Axis;
import io.compactor.bundle.prunefilter.ChannelLayout.Segment;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.graph.ValueInfo;
import io.compactor.onnx.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Propagation rules for parameter-free nodes that keep each channel whole but change the tensor around it:
 * pooling, axis-wise normalization and reductions, Concat, Flatten, Reshape, Pad and Resize. Each passes the
 * channels on when it provably leaves the channel axis alone, and stops them otherwise.
 */
final class ShapeRules {
  private final PropagationState state;

  ShapeRules(PropagationState state) {
    this.state = state;
  }

  void spatial(Node n) {
    state.dataInput(n).ifPresent(in -> {
      if (in.axis() != Axis.SECOND) {
        state.stop(n, "pools over spatial axes but the channels are on the last axis");
      } else if (n.outputs().size() > 1 && state.used(n.output(1))) {
        state.stop(n, "its indices output numbers elements across channels");
      } else {
        state.publish(n.output(0), in);
      }
    });
  }

  void normalizingAxis(Node n) {
    state.dataInput(n).ifPresent(in -> {
      long axis = n.attrInt("axis", state.opset() >= 13 ? -1 : 1);
      if (state.opset() < 13) {
        // before state.opset() 13 these ops flatten every axis from `axis` on, the channel axis included unless last
        state.stop(n, "before state.opset() 13 it normalizes over all axes from " + axis + " on, channels included");
        return;
      }
      if (PropagationState.onChannelAxis(in, axis)) {
        state.stop(n, "it normalizes over the channel axis; removing channels would change every output");
      } else {
        state.publish(n.output(0), in);
      }
    });
  }

  void reduce(Node n) {
    state.dataInput(n).ifPresent(in -> {
      if (n.attrInt("keepdims", 1) != 1) {
        state.stop(n, "keepdims = 0 moves the channel axis");
        return;
      }
      Optional<long[]> axes = n.attrInts("axes");
      if (axes.isEmpty() && n.inputs().size() > 1 && state.graph().isConstant(n.input(1))) {
        axes = state.graph().initializer(n.input(1)).map(Tensor::toLongs);
      }
      if (axes.isEmpty() || axes.get().length == 0) {
        state.stop(n, "it reduces every axis, the channel axis included");
        return;
      }
      if (Arrays.stream(axes.get()).anyMatch(a -> PropagationState.onChannelAxis(in, a))) {
        state.stop(n, "it reduces over the channel axis");
      } else {
        state.publish(n.output(0), in);
      }
    });
  }

  void concat(Node n) {
    long axis = n.attrInt("axis", 1);
    ChannelLayout shape = n.inputs().stream().map(state::layout).filter(l -> l != null).findFirst().orElseThrow();
    if (!PropagationState.onChannelAxis(shape, axis) || shape.rank() < 0 && axis >= 0) {
      state.stop(n, "it concatenates along axis " + axis + ", not the channel axis");
      return;
    }
    List<Segment> segments = new ArrayList<>();
    int offset = 0;
    for (String v : n.inputs()) {
      ChannelLayout l = state.layout(v);
      if (l != null) {
        if (l.axis() != shape.axis() || l.block() != 1) {
          state.stop(n, "its inputs hold channels on different axes");
          return;
        }
        for (Segment s : l.segments()) {
          segments.add(new Segment(s.group(), offset + s.offset()));
        }
        offset += l.width();
      } else {
        OptionalInt width = knownWidth(v, shape);
        if (width.isEmpty()) {
          state.stop(n, "the channel count of its input '" + v + "' is unknown, so the offsets after it are too");
          return;
        }
        offset += width.getAsInt();
      }
    }
    state.publish(n.output(0), new ChannelLayout(shape.axis(), shape.rank(), offset, 1, segments));
  }

  /** @return the channels of a value that carries no group: from its declared shape or its initializer */
  OptionalInt knownWidth(String value, ChannelLayout like) {
    Optional<long[]> shape = state.graph().isConstant(value) ? state.graph().initializerShape(value)
        : state.graph().valueInfo(value).flatMap(ValueInfo::shape);
    if (shape.isEmpty() || shape.get().length < 2) {
      return OptionalInt.empty();
    }
    long[] s = shape.get();
    long dim = like.axis() == Axis.SECOND ? s[1] : s[s.length - 1];
    return dim > 0 ? OptionalInt.of(Math.toIntExact(dim)) : OptionalInt.empty();
  }

  void flatten(Node n, long axis) {
    state.dataInput(n).ifPresent(in -> {
      if (in.axis() == Axis.SECOND && axis == 1) {
        state.publish(n.output(0), in.flattened());
      } else if (in.axis() == Axis.LAST && in.rank() == 2 && (axis == 1 || axis == -1)) {
        state.publish(n.output(0), in);
      } else {
        state.stop(n, "it flattens from axis " + axis + "; only flattening from axis 1 keeps whole channels together");
      }
    });
  }

  /** A Reshape to {@code [batch, -1]} of an axis-1 layout is a Flatten from axis 1. */
  void reshape(Node n) {
    Optional<long[]> target = n.inputs().size() > 1 && state.graph().isConstant(n.input(1))
        ? state.graph().initializer(n.input(1)).map(Tensor::toLongs) : Optional.empty();
    ChannelLayout in = state.layout(n.input(0));
    if (in != null && in.axis() == Axis.SECOND && target.isPresent() && target.get().length == 2
        && target.get()[1] == -1 && target.get()[0] >= 0) {
      flatten(n, 1);
    } else {
      state.stop(n, "Reshape moves channels unless it is a constant reshape to [batch, -1] of an N, C, ... tensor");
    }
  }

  void pad(Node n) {
    state.dataInput(n).ifPresent(in -> {
      Optional<long[]> pads = n.attrInts("pads");
      if (pads.isEmpty() && n.inputs().size() > 1 && state.graph().isConstant(n.input(1))) {
        pads = state.graph().initializer(n.input(1)).map(Tensor::toLongs);
      }
      boolean axesGiven = n.inputs().size() > 3 && !n.input(3).isEmpty();
      int rank = in.rank();
      int channel = in.axis() == Axis.SECOND ? 1 : rank - 1;
      if (pads.isEmpty() || axesGiven || rank < 0 || pads.get().length != 2L * rank) {
        state.stop(n, "its pads are not constant for every axis, so they may pad the channel axis");
      } else if (pads.get()[channel] != 0 || pads.get()[channel + rank] != 0) {
        state.stop(n, "it pads the channel axis");
      } else {
        state.publish(n.output(0), in);
      }
    });
  }

  void resize(Node n) {
    state.dataInput(n).ifPresent(in -> {
      boolean sizes = n.opType().equals("Resize") && n.inputs().size() > 3 && !n.input(3).isEmpty();
      String scalesInput = PropagationState.input(n, n.opType().equals("Upsample") || state.opset() < 11 ? 1 : 2);
      Optional<float[]> scales = n.attrFloats("scales");
      if (scales.isEmpty() && !scalesInput.isEmpty() && state.graph().isConstant(scalesInput)) {
        scales = state.graph().initializer(scalesInput).map(Tensor::toFloats);
      }
      if (in.axis() != Axis.SECOND || sizes || scales.isEmpty() || scales.get().length < 2
          || scales.get()[1] != 1f) {
        state.stop(n, "it does not keep the channel count by constant scales (scale 1 on axis 1)");
      } else {
        state.publish(n.output(0), in);
      }
    });
  }
}
