package io.compactor.core.tune;

import io.compactor.core.job.Cancellation;
import io.compactor.onnx.graph.OnnxModel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Times the contenders for the answer of {@code --objective latency} in rounds until their ratios to the original
 * are resolved. A round times every contender still in the race against the original in one rotation
 * ({@link LatencyMeter#ratios}), the order shifted by one each round, so load falls on all of them alike. From
 * {@link LatencyEstimate#MIN_ROUNDS} rounds on, each round ends with the intervals of the median ratios: a
 * contender whose interval lies wholly above the leader's (the lowest median) is out. The race stops when the leader
 * is alone and its interval lies below 1 (the fastest, and faster than the original, both resolved), when the
 * leader's interval lies above 1 (nothing in the race is faster than the original), or at {@link #MAX_ROUNDS} or
 * {@link #MAX_SECONDS}. A leader below 1 with a runner-up still overlapping it goes on: stopping there would let the
 * first rounds' noise pick between two close contenders. The first readings, those the search ranked by, are not
 * counted: the fastest of many single readings is mostly the luckiest.
 */
final class LatencyRace {
  /** Rounds at most. */
  static final int MAX_ROUNDS = 40;
  /** Seconds of timing at most; checked after each round. */
  static final double MAX_SECONDS = 300;

  /** How the race ended. */
  enum Stop {
    /** the leader is alone and its interval lies below 1 */
    FASTER("the leader resolved: faster than every other contender and the original"),
    /** the leader's interval lies above 1 */
    SLOWER("the leader resolved slower than the original"),
    /** {@link #MAX_ROUNDS} reached unresolved */
    ROUND_CAP("the cap of " + MAX_ROUNDS + " rounds"),
    /** {@link #MAX_SECONDS} reached unresolved */
    TIME_CAP("the cap of " + (int) MAX_SECONDS + " s");

    private final String text;

    Stop(String text) {
      this.text = text;
    }

    /** @return {@code faster}, {@code slower}, {@code round-cap}, {@code time-cap} */
    String id() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** @return what ended the race, for a person */
    String describe() {
      return text;
    }
  }

  /**
   * One contender: a verified candidate's deploy model.
   *
   * @param index the candidate's number
   * @param firstRatio the reading the search ranked it by
   * @param model its deploy model
   */
  record Contender(int index, double firstRatio, OnnxModel model) {
    Contender {
      Objects.requireNonNull(model, "model");
    }
  }

  /**
   * One contender's outcome.
   *
   * @param index the candidate's number
   * @param firstRatio the reading the search ranked it by
   * @param estimate its median ratio and interval over the rounds it ran
   * @param out whether it left the race before the end, resolved slower than the leader
   */
  record Entry(int index, double firstRatio, LatencyEstimate estimate, boolean out) {}

  /**
   * @param entries every contender, the leader first, then by median
   * @param rounds rounds timed
   * @param stop what ended the race
   * @param seconds time the race took
   */
  record Result(List<Entry> entries, int rounds, Stop stop, double seconds) {
    Result {
      entries = List.copyOf(entries);
    }

    /** @return the contender with the lowest median ratio among those that stayed */
    Entry leader() {
      return entries.get(0);
    }

    /** @return whether every other contender left the race slower than the leader */
    boolean separated() {
      return entries.stream().skip(1).allMatch(Entry::out);
    }
  }

  private LatencyRace() {}

  /**
   * @param contenders at least one
   * @param original what they are timed against
   * @param meter the timing
   * @param cancellation checked before each round
   * @param listener one {@code confirm} progress per round
   * @return every contender's median ratio and interval, and how the race ended
   */
  static Result run(List<Contender> contenders, OnnxModel original, LatencyMeter meter, Cancellation cancellation,
      TuneListener listener) {
    if (contenders.isEmpty()) {
      throw new IllegalArgumentException("a race needs a contender");
    }
    long start = System.nanoTime();
    List<List<Double>> ratios = new ArrayList<>();
    contenders.forEach(c -> ratios.add(new ArrayList<>()));
    List<Integer> in = new ArrayList<>();
    for (int i = 0; i < contenders.size(); i++) {
      in.add(i);
    }
    List<Integer> out = new ArrayList<>();
    int round = 0;
    Stop stop = null;
    while (stop == null) {
      if (cancellation.requested()) {
        throw new TuneCancelledException();
      }
      List<Integer> order = new ArrayList<>(in);
      Collections.rotate(order, round);
      double[] r = meter.ratios(order.stream().map(i -> contenders.get(i).model()).toList(), original);
      for (int j = 0; j < order.size(); j++) {
        ratios.get(order.get(j)).add(r[j]);
      }
      round++;
      double seconds = (System.nanoTime() - start) / 1e9;
      if (round >= LatencyEstimate.MIN_ROUNDS) {
        // the leader never leaves: its own interval holds its median, so it is never wholly above itself
        int leader = leader(in, ratios);
        LatencyEstimate lead = estimate(ratios, leader);
        List<Integer> slower = in.stream().filter(i -> estimate(ratios, i).slowerThan(lead)).toList();
        in.removeAll(slower);
        out.addAll(slower);
        boolean alone = in.size() == 1;
        stop = alone && lead.faster() ? Stop.FASTER : lead.slower() ? Stop.SLOWER : round >= MAX_ROUNDS
            ? Stop.ROUND_CAP : seconds >= MAX_SECONDS ? Stop.TIME_CAP : null;
        listener.progress("confirm", round, MAX_ROUNDS, String.format(Locale.ROOT, "round %d: %d of %d contenders "
            + "left, leader candidate %d %s", round, in.size(), contenders.size(),
            contenders.get(leader).index(), lead.describe()));
      } else {
        listener.progress("confirm", round, MAX_ROUNDS, "round " + round + " of at least "
            + LatencyEstimate.MIN_ROUNDS + ": " + in.size() + " contenders timed in turns with the original");
      }
    }
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < contenders.size(); i++) {
      entries.add(new Entry(contenders.get(i).index(), contenders.get(i).firstRatio(), estimate(ratios, i),
          out.contains(i)));
    }
    // the leader first (it stayed), then by median
    entries.sort(Comparator.comparing(Entry::out).thenComparingDouble(e -> e.estimate().median()));
    return new Result(entries, round, stop, (System.nanoTime() - start) / 1e9);
  }

  private static int leader(List<Integer> in, List<List<Double>> ratios) {
    return in.stream().min(Comparator.comparingDouble(i -> estimate(ratios, i).median())).orElseThrow();
  }

  private static LatencyEstimate estimate(List<List<Double>> ratios, int i) {
    return LatencyEstimate.of(ratios.get(i).stream().mapToDouble(Double::doubleValue).toArray());
  }
}
