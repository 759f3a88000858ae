package io.compactor.bundle.prunefilter;

import io.compactor.onnx.ModelException;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.graph.ValueInfo;
import io.compactor.onnx.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Removes pruned channels physically: every cut initializer loses the entries of the removed channels, a
 * depthwise convolution's {@code group} follows its filter count, and the declared shapes of values that
 * carried the channels are dropped (ONNX Runtime infers them again). All cuts of one tensor are collected
 * first and applied in one go, so Concat offsets stay in the original coordinates.
 */
final class ChannelRemoval {
  private final OnnxModel model;
  private final Map<String, Map<Integer, TreeSet<Integer>>> removals = new LinkedHashMap<>();
  private final Map<String, TreeSet<Integer>> grouped = new LinkedHashMap<>();
  private final Map<String, Integer> groupCounts = new LinkedHashMap<>();
  private final List<String> depthwise = new ArrayList<>();
  private final List<String> values = new ArrayList<>();

  ChannelRemoval(OnnxModel model) {
    this.model = model;
  }

  /** Plans the removal of {@code channels} (group-local, ascending) from every member of {@code group}. */
  void remove(ChannelGroup group, int[] channels) {
    for (GroupMember m : group.members()) {
      for (Cut cut : m.cuts()) {
        if (cut.groups() > 1) {
          TreeSet<Integer> entries = grouped.computeIfAbsent(cut.tensor(), t -> new TreeSet<>());
          for (int c : channels) {
            entries.add(cut.offset() + c);
          }
          groupCounts.put(cut.tensor(), cut.groups());
          continue;
        }
        TreeSet<Integer> entries = removals.computeIfAbsent(cut.tensor(), t -> new LinkedHashMap<>())
            .computeIfAbsent(cut.axis(), a -> new TreeSet<>());
        for (int c : channels) {
          for (int k = 0; k < cut.block(); k++) {
            entries.add((cut.offset() + c) * cut.block() + k);
          }
        }
      }
      if (m.role() == GroupMember.Role.DEPTHWISE) {
        depthwise.add(m.node());
      }
    }
    values.addAll(group.values());
  }

  /** Applies every planned removal to the model. */
  void apply() {
    Graph g = model.graph();
    removals.forEach((name, axes) -> {
      Tensor t = g.initializer(name).orElseThrow(() -> new ModelException(model.source(), name,
          "initializer to prune disappeared"));
      for (Map.Entry<Integer, TreeSet<Integer>> e : axes.entrySet()) {
        t = drop(model.source(), name, t, e.getKey(), e.getValue());
      }
      g.setInitializer(name, t);
    });
    grouped.forEach((name, channels) -> g.setInitializer(name, dropGrouped(model.source(), name,
        g.initializer(name).orElseThrow(), groupCounts.get(name), channels)));
    for (String node : depthwise) {
      Node n = g.node(node).orElseThrow();
      n.setAttr("group", g.initializerShape(n.input(1)).orElseThrow()[0]);
    }
    for (String v : values) {
      if (g.inputs().stream().noneMatch(i -> i.name().equals(v)) && g.outputs().stream().noneMatch(o -> o.name()
          .equals(v))) {
        g.valueInfo(v).ifPresent(info -> g.setValueInfo(ValueInfo.ofTypeCode(v, info.elementTypeCode())));
      }
    }
  }

  /**
   * @param t a grouped convolution's weight {@code [Cout, C / groups, k...]}
   * @param removed input channels (of C) to remove; each conv group must lose as many
   * @return the weight whose filters of conv group {@code k} no longer read the removed channels of block k
   */
  static Tensor dropGrouped(String model, String name, Tensor t, int groups, TreeSet<Integer> removed) {
    long[] shape = t.shape();
    int perGroup = (int) shape[1];
    int filtersPerGroup = (int) (shape[0] / groups);
    List<TreeSet<Integer>> byGroup = new ArrayList<>();
    for (int k = 0; k < groups; k++) {
      byGroup.add(new TreeSet<>());
    }
    removed.forEach(c -> byGroup.get(c / perGroup).add(c % perGroup));
    int lose = byGroup.get(0).size();
    if (byGroup.stream().anyMatch(b -> b.size() != lose)) {
      throw new ModelException(model, name, "grouped convolution weight would lose " + byGroup.stream().map(
          TreeSet::size).toList() + " channels per group; the selection must be balanced");
    }
    int inner = 1;
    for (int d = 2; d < shape.length; d++) {
      inner *= (int) shape[d];
    }
    float[] src = t.floats();
    float[] dst = new float[(int) shape[0] * (perGroup - lose) * inner];
    int pos = 0;
    for (int f = 0; f < shape[0]; f++) {
      TreeSet<Integer> gone = byGroup.get(f / filtersPerGroup);
      for (int j = 0; j < perGroup; j++) {
        if (!gone.contains(j)) {
          System.arraycopy(src, (f * perGroup + j) * inner, dst, pos, inner);
          pos += inner;
        }
      }
    }
    long[] out = shape.clone();
    out[1] = perGroup - lose;
    return Tensor.ofFloats(out, dst);
  }

  /** @return {@code t} without the entries {@code removed} along {@code axis}; FLOAT only */
  static Tensor drop(String model, String name, Tensor t, int axis, TreeSet<Integer> removed) {
    long[] shape = t.shape();
    if (axis >= shape.length || removed.last() >= shape[axis]) {
      throw new ModelException(model, name, "cannot remove index " + removed.last() + " on axis " + axis
          + " of a tensor of shape " + Arrays.toString(shape) + "; the channel groups disagree with it");
    }
    int n = (int) shape[axis];
    int[] keep = new int[n - removed.size()];
    for (int i = 0, k = 0; i < n; i++) {
      if (!removed.contains(i)) {
        keep[k++] = i;
      }
    }
    long outer = 1;
    for (int d = 0; d < axis; d++) {
      outer *= shape[d];
    }
    int inner = 1;
    for (int d = axis + 1; d < shape.length; d++) {
      inner *= (int) shape[d];
    }
    float[] src = t.floats();
    float[] dst = new float[(int) (outer * keep.length * inner)];
    int pos = 0;
    for (long o = 0; o < outer; o++) {
      for (int k : keep) {
        System.arraycopy(src, (int) ((o * n + k) * inner), dst, pos, inner);
        pos += inner;
      }
    }
    long[] out = shape.clone();
    out[axis] = keep.length;
    return Tensor.ofFloats(out, dst);
  }
}
