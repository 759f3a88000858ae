package io.compactor.bundle.prunefilter;

import io.compactor.bundle.prunefilter.ChannelLayout.Axis;
import io.compactor.bundle.prunefilter.GroupMember.Role;
import io.compactor.onnx.graph.Node;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Propagation rules for nodes that read channels with their parameters: convolutions, Gemm and MatMul
 * consume them (their weights lose input channels), depthwise convolutions and normalizations shrink with
 * them and pass them on.
 */
final class ConsumerRules {
  private final PropagationState state;

  ConsumerRules(PropagationState state) {
    this.state = state;
  }

  void conv(Node n) {
    state.dataInput(n).ifPresent(in -> {
      if (in.axis() != Axis.SECOND) {
        state.stop(n, "convolves channels on axis 1 but they arrive on the last axis");
        return;
      }
      String w = n.input(1);
      if (!state.graph().isConstant(w)) {
        state.stop(n, "its weight '" + w + "' is not a constant");
        return;
      }
      long[] shape = state.graph().initializerShape(w).orElseThrow();
      long group = n.attrInt("group", 1);
      if (group == 1) {
        if (shape[1] != in.width()) {
          state.stop(n, "its weight reads " + shape[1] + " input channels but " + in.width() + " arrive");
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
  void grouped(Node n, ChannelLayout in, int group, long[] shape) {
    if (shape[1] * group != in.width() || shape[0] % group != 0) {
      state.stop(n, "grouped convolution (group = " + group + ", weight " + Arrays.toString(shape) + ") does not read "
          + in.width() + " channels in equal groups");
      return;
    }
    if (in.segments().size() != 1 || state.groups().width(in.segments().get(0).group()) != in.width()) {
      state.stop(n, "grouped convolution (group = " + group + ") reads channels of several groups "
          + "(e.g. after a Concat); "
          + "they cannot be balanced across its groups");
      return;
    }
    Optional<String> why = state.unsliceable(n, n.input(1));
    if (why.isPresent()) {
      state.stop(n, why.get());
      return;
    }
    int g = in.segments().get(0).group();
    state.groups().add(g, new GroupMember(n.name(), Role.CONSUMER, List.of(new Cut(n.input(1), 1, 0, 1, group))));
    state.groups().balance(g, group, "grouped convolution '" + n.name() + "'");
  }

  /** A depthwise convolution's filters and bias follow its input channels; its output carries them on. */
  void depthwise(Node n, ChannelLayout in) {
    List<Cut> cuts = new ArrayList<>(List.of(Cut.of(n.input(1), 0)));
    if (n.inputs().size() > 2 && !n.input(2).isEmpty()) {
      cuts.add(Cut.of(n.input(2), 0));
    }
    for (Cut c : cuts) {
      Optional<String> why = state.unsliceable(n, c.tensor());
      if (why.isPresent()) {
        state.stop(n, why.get());
        return;
      }
    }
    GroupMember member = new GroupMember(n.name(), Role.DEPTHWISE, cuts);
    in.segments().forEach(s -> state.groups().add(s.group(), member.at(s.offset(), 1)));
    state.publish(n.output(0), in);
  }

  void convTranspose(Node n) {
    state.dataInput(n).ifPresent(in -> {
      if (in.axis() != Axis.SECOND || n.attrInt("group", 1) != 1) {
        state.stop(n, "only a ConvTranspose with group = 1 reading channels on axis 1 is pruned as a consumer");
        return;
      }
      long[] shape = state.graph().initializerShape(n.input(1)).orElse(new long[0]);
      if (shape.length == 0 || shape[0] != in.width()) {
        state.stop(n, "its weight is not a constant reading " + in.width() + " input channels on axis 0");
        return;
      }
      consume(n, in, 0, 1);
    });
  }

  /** Gemm and MatMul read the channels on the last axis; after a Flatten each channel spans a block of K. */
  void dense(Node n) {
    state.dataInput(n).ifPresent(in -> {
      String w = n.input(1);
      if (!state.graph().isConstant(w) || state.graph().initializerShape(w).orElseThrow().length != 2) {
        state.stop(n, "its second operand '" + w + "' is not a constant 2-D weight, so it mixes the channels");
        return;
      }
      if (in.axis() != Axis.LAST) {
        state.stop(n, "reads its input's last axis but the channels are on axis 1 (add a Flatten)");
        return;
      }
      if (n.opType().equals("Gemm") && n.attrInt("transA", 0) != 0) {
        state.stop(n, "Gemm with transA = 1 reads its input transposed");
        return;
      }
      int axis = n.opType().equals("Gemm") && n.attrInt("transB", 0) != 0 ? 1 : 0;
      long k = state.graph().initializerShape(w).orElseThrow()[axis];
      long block = in.block() == 0 ? (k % in.width() == 0 ? k / in.width() : -1) : in.block();
      if (block < 1 || block * in.width() != k) {
        state.stop(n, "its weight reads " + k + " inputs, not a whole number per each of the " + in.width()
            + " channels");
        return;
      }
      consume(n, in, axis, (int) block);
    });
  }

  void consume(Node n, ChannelLayout in, int axis, int block) {
    Optional<String> why = state.unsliceable(n, n.input(1));
    if (why.isPresent()) {
      state.stop(n, why.get());
      return;
    }
    GroupMember member = new GroupMember(n.name(), Role.CONSUMER, List.of(Cut.of(n.input(1), axis)));
    in.segments().forEach(s -> state.groups().add(s.group(), member.at(s.offset(), block)));
  }

  /** BatchNormalization (scale, B, mean, var) and InstanceNormalization (scale, B) on axis 1. */
  void normalization(Node n, int parameters) {
    state.dataInput(n).ifPresent(in -> {
      if (in.axis() == Axis.LAST && in.rank() != 2) {
        state.stop(n, "normalizes axis 1 but the channels are on the last axis");
        return;
      }
      if (n.outputs().stream().skip(1).anyMatch(state::used)) {
        state.stop(n, "its training-mode statistics outputs are used");
        return;
      }
      List<Cut> cuts = new ArrayList<>();
      for (int i = 1; i <= parameters && i < n.inputs().size(); i++) {
        String p = n.input(i);
        Optional<String> why = state.unsliceable(n, p);
        long[] shape = state.graph().initializerShape(p).orElse(new long[0]);
        if (why.isEmpty() && (shape.length != 1 || shape[0] != in.width())) {
          why = Optional.of("parameter '" + p + "' of shape " + Arrays.toString(shape)
              + " is not one value per channel");
        }
        if (why.isPresent()) {
          state.stop(n, why.get());
          return;
        }
        cuts.add(Cut.of(p, 0));
      }
      GroupMember member = new GroupMember(n.name(), Role.NORMALIZATION, cuts);
      in.segments().forEach(s -> state.groups().add(s.group(), member.at(s.offset(), 1)));
      state.publish(n.output(0), in);
    });
  }
}
