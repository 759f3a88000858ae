package io.compactor.core.tune;

import io.compactor.onnx.graph.OnnxModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What a candidate does to the time of a batch, per operator (INT8) or channel group (filter pruning), measured
 * against the original in turns: the signal {@code --objective latency} ranks by. INT8 is timed on an
 * {@link Int8Island} per operator (the original with only that operator in INT8, no bundle run): cheap, seconds per
 * operator. Filter pruning is timed on the bundle's own sparsity-only run of one group at one ratio (the channels
 * physically removed, the consumers refitted), which also says what that group costs in quality.
 */
final class LatencySignal {
  /** Where a timing comes from. */
  enum Source {
    /** the original with only this operator in INT8 ({@link Int8Island}) */
    INT8_ISLAND,
    /** the filter-pruning bundle's run of this group alone at this ratio */
    BUNDLE_RUN
  }

  /**
   * One operator or group under one candidate, timed against the original.
   *
   * @param nodes the operator, or the group's producers
   * @param choice the candidate
   * @param ratio time per batch over the original's, in turns: below 1 is faster
   * @param savedMs the time saved per batch on the baseline's scale (negative: it costs time)
   * @param source how it was timed
   * @param quality for a bundle run, what the group alone costs (after the bundle's refit)
   */
  record Timing(List<String> nodes, Choice choice, double ratio, double savedMs, Source source,
      Optional<Quality> quality) {
    Timing {
      nodes = List.copyOf(nodes);
    }

    /** @return whether it is faster than the original */
    boolean faster() {
      return ratio < 1;
    }
  }

  private LatencySignal() {}

  /**
   * @param model the original, constants as initializers; not changed
   * @param operators the operators of the search; those that may take INT8 (tables excepted) are timed
   * @param meter times an island against the original
   * @param baselineMs the original's time per batch, the scale of {@code savedMs}
   * @param listener progress, phase {@code sensitivity}
   * @return one timing per INT8-capable operator the opset allows an island for, in the operators' order
   */
  static List<Timing> int8(OnnxModel model, List<Operator> operators, LatencyMeter meter, double baselineMs,
      TuneListener listener) {
    List<Operator> timed = operators.stream().filter(o -> o.int8() && !o.table()).toList();
    List<Timing> out = new ArrayList<>();
    for (Operator op : timed) {
      Optional<OnnxModel> island = Int8Island.of(model, op);
      if (island.isEmpty()) {
        continue;
      }
      double ratio = meter.ratio(island.get(), model);
      if (ratio < 1) {
        // a gain of a few percent is within one timing's noise: a second timing confirms it, their mean counts
        ratio = (ratio + meter.ratio(island.get(), model)) / 2;
      }
      Timing t = new Timing(List.of(op.node()), Choice.NONE.withQuant(Choice.Quant.STATIC), ratio,
          baselineMs * (1 - ratio), Source.INT8_ISLAND, Optional.empty());
      out.add(t);
      listener.progress("sensitivity", out.size(), timed.size(), op.node() + " int8 static alone: "
          + describe(t));
    }
    return out;
  }

  /**
   * @param timings the timings measured
   * @param nodes an operator or a group's producers
   * @param choice a candidate
   * @return the timing of that operator (or of the group its first node belongs to) under that candidate
   */
  static Optional<Timing> find(List<Timing> timings, List<String> nodes, Choice choice) {
    return timings.stream().filter(t -> t.choice().equals(choice) && t.nodes().contains(nodes.get(0))).findFirst();
  }

  /** @return e.g. {@code ×0.93 (3.4 ms saved)} */
  static String describe(Timing t) {
    return String.format(Locale.ROOT, "×%.3f (%.2f ms %s)", t.ratio(), Math.abs(t.savedMs()),
        t.savedMs() >= 0 ? "saved" : "added");
  }
}
