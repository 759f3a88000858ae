package io.compactor.bundle.prunefilter;

import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Balanced L2-norm channel selection (AMCT's BCP) for one group. Scores are computed on the weights as they
 * are when called; nothing is modified.
 *
 * <ul>
 *   <li>kept count: {@code kept = C − round(C × ratio)}, rounding half up; with {@code ascend_optimized}
 *       rounded up to a multiple of 16 (at least 16); for a group read by a grouped convolution with
 *       {@code g} groups, rounded down to a multiple of {@code g} (at least g); never more than C;
 *   <li>score of a channel under one producer: the L2 norm of its filter divided by the filter's element
 *       count, then min-max normalized over the producer's channels (0 for every channel when all are equal);
 *   <li>score of a merged group's channel: the <em>sum</em> of its normalized scores over the producers, so
 *       every producer of a residual merge has the same say whatever its weight scale;
 *   <li>balanced: the channels fall into {@code g} equal blocks (1 unless a grouped convolution reads them;
 *       a depthwise consumer forces one, as in AMCT) and each block loses its {@code (C − kept) / g}
 *       lowest-scoring channels; on equal scores the lower index is kept.
 * </ul>
 */
final class ChannelSelection {
  /** The multiple {@code ascend_optimized} rounds the kept count up to. */
  static final int ASCEND_ALIGNMENT = 16;

  private ChannelSelection() {}

  /**
   * @param channels C, at least 1
   * @param ratio the fraction to remove, 0 ≤ ratio &lt; 1
   * @param ascendOptimized round up to a multiple of {@value #ASCEND_ALIGNMENT}
   * @return how many channels stay
   */
  static int keptCount(int channels, double ratio, boolean ascendOptimized) {
    return keptCount(channels, ratio, ascendOptimized, 1);
  }

  /**
   * @param balance the number of equal blocks that must each keep as many channels; divides C
   * @return how many channels stay, a multiple of {@code balance}
   */
  static int keptCount(int channels, double ratio, boolean ascendOptimized, int balance) {
    int kept = channels - (int) Math.round(channels * ratio);
    if (ascendOptimized) {
      kept = Math.max(ASCEND_ALIGNMENT, (kept + ASCEND_ALIGNMENT - 1) / ASCEND_ALIGNMENT * ASCEND_ALIGNMENT);
    }
    kept = Math.max(balance, kept / balance * balance);
    return Math.max(1, Math.min(channels, kept));
  }

  /** @return the group's per-channel scores: the sum over producers of normalized filter L2 norms */
  static double[] scores(Graph graph, ChannelGroup group) {
    double[] total = new double[group.width()];
    for (String producer : group.producers()) {
      double[] s = filterNorms(graph, graph.node(producer).orElseThrow());
      double min = Arrays.stream(s).min().orElse(0);
      double max = Arrays.stream(s).max().orElse(0);
      for (int c = 0; c < total.length; c++) {
        total[c] += max > min ? (s[c] - min) / (max - min) : 0;
      }
    }
    return total;
  }

  /** @return per filter: its L2 norm divided by its element count */
  static double[] filterNorms(Graph graph, Node producer) {
    Tensor w = graph.initializer(producer.input(1)).orElseThrow();
    int axis = FilterProducer.filterAxis(producer);
    long[] shape = w.shape();
    int filters = (int) shape[axis];
    long inner = 1;
    for (int d = axis + 1; d < shape.length; d++) {
      inner *= shape[d];
    }
    long per = w.size() / filters;
    float[] v = w.floats();
    double[] sq = new double[filters];
    for (int i = 0; i < v.length; i++) {
      int f = (int) ((i / inner) % filters);
      sq[f] += (double) v[i] * v[i];
    }
    for (int f = 0; f < filters; f++) {
      sq[f] = Math.sqrt(sq[f]) / per;
    }
    return sq;
  }

  /**
   * @param scores per channel
   * @param kept how many stay
   * @return the channels to remove, ascending: the lowest scores, higher index first among equals
   */
  static int[] removed(double[] scores, int kept) {
    return removed(scores, kept, 1);
  }

  /**
   * @param balance equal blocks of channels, each losing {@code (C − kept) / balance}; divides C and C − kept
   * @return the channels to remove, ascending
   */
  static int[] removed(double[] scores, int kept, int balance) {
    int block = scores.length / balance;
    int perBlock = (scores.length - kept) / balance;
    List<Integer> out = new ArrayList<>();
    for (int b = 0; b < balance; b++) {
      List<Integer> order = new ArrayList<>();
      for (int c = b * block; c < (b + 1) * block; c++) {
        order.add(c);
      }
      order.sort(Comparator.<Integer>comparingDouble(c -> scores[c]).thenComparing(Comparator.reverseOrder()));
      out.addAll(order.subList(0, perBlock));
    }
    return out.stream().mapToInt(Integer::intValue).sorted().toArray();
  }
}
