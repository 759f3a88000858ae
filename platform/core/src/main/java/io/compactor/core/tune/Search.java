package io.compactor.core.tune;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * The search under the budget. INT8 first (every allowed form on every operator, verified; when static INT8 misses
 * the budget, float fallback of its costliest activations, greedy worst first and verified; when nothing meets it,
 * bisection on how many operators keep INT8, the costliest by the cheap signal dropped first), then embedding
 * tables in INT8 on top of it (all, else bisection on how many), then, where the INT8 step divided inputs by an
 * explicit {@code Mul}, the same without those equalizations (all, else bisection on how many, widest first; kept
 * when the objective gains). Then
 * each sparsity kind on top of it (AMCT allows one per file): per operator the most aggressive level whose cost
 * per unit of objective is within a threshold, and bisection on the threshold, every step verified end to end,
 * so operators' interactions are in the verdict. The best verified candidate that meets the budget wins.
 */
final class Search {
  private final List<Operator> operators;
  private final List<Sensitivity.Entry> table;
  private final Budget budget;
  private final Objective objective;
  private final SearchSpace space;
  private final Verifier verifier;
  private final TuneListener listener;
  private final Supplier<List<Sensitivity.Activation>> activations;
  /** Combinations tried, threshold by threshold downwards, before a sparsity kind gives up. */
  static final int MAX_BACK_OFF = 3;
  /**
   * Channel groups per ratio that {@code --objective latency} times with the bundle's run of that group alone, the
   * heaviest by multiply-adds removed (the bundle's probe): where pruning can buy time at all.
   */
  static final int TIMED_GROUPS = 8;

  private final List<String> notes = new ArrayList<>();
  private final List<LayerwiseProbe.Result> probes = new ArrayList<>();
  /** The INT8 choice's float fallback, carried into every candidate with INT8. */
  private List<String> floatActivations = List.of();
  /** The INT8 layers whose input is equalized only where the division folds, carried like the float fallback. */
  private List<String> foldedEqualization = List.of();
  private List<Sensitivity.Activation> measuredActivations = List.of();
  /** Latency per operator or group and candidate ({@code --objective latency}): INT8 islands, then group runs. */
  private final List<LatencySignal.Timing> timings;

  /**
   * @param activations the float-fallback candidates of static INT8, costliest first; asked for only when static
   *     INT8 misses the budget (measuring them runs the model once per activation)
   * @param int8Timings for {@code --objective latency}, each INT8-capable operator's island timed against the
   *     original ({@link LatencySignal#int8}); empty otherwise
   */
  Search(List<Operator> operators, List<Sensitivity.Entry> table, Budget budget, Objective objective,
      SearchSpace space, Verifier verifier, TuneListener listener,
      Supplier<List<Sensitivity.Activation>> activations, List<LatencySignal.Timing> int8Timings) {
    this.operators = List.copyOf(operators);
    this.table = List.copyOf(table);
    this.budget = budget;
    this.objective = objective;
    this.space = space;
    this.verifier = verifier;
    this.listener = listener;
    this.activations = activations;
    this.timings = new ArrayList<>(int8Timings);
  }

  /**
   * What the search found.
   *
   * @param chosen the best verified candidate that meets the budget, when one does (never the uncompressed model)
   * @param closest the verified candidate nearest to the budget, when none meets it
   * @param bestPerKind the best verified candidate per sparsity kind searched (NONE: INT8 only)
   * @param notes how each decision was taken, for the report
   * @param probes the filter-pruning bundle's layer-wise signal per group and ratio
   * @param activations the float-fallback candidates, costliest first, when the search measured them
   * @param timings for {@code --objective latency}: the time each operator's INT8 island and each timed group's
   *     pruning saves or costs against the original
   * @param race for {@code --objective latency}: the contenders for the answer timed in rounds
   */
  record Outcome(Optional<Verified> chosen, Optional<Verified> closest, Map<Choice.Sparsity, Verified> bestPerKind,
      List<String> notes, List<LayerwiseProbe.Result> probes, List<Sensitivity.Activation> activations,
      List<LatencySignal.Timing> timings, Optional<LatencyRace.Result> race) {}

  Outcome run() {
    Map<String, Choice> quant = objective == Objective.LATENCY ? fasterInt8() : tables(quantization());
    Map<Choice.Sparsity, Verified> best = new LinkedHashMap<>();
    Verified quantOnly = foldedEqualization(verifier.verify(withInt8(quant), listener));
    best.put(Choice.Sparsity.NONE, quantOnly);
    for (Choice.Sparsity kind : List.of(Choice.Sparsity.FILTER, Choice.Sparsity.TWO_OF_FOUR)) {
      if (!(kind == Choice.Sparsity.FILTER ? space.filter() : space.twoOfFour())) {
        continue;
      }
      if (kind == Choice.Sparsity.TWO_OF_FOUR && objective == Objective.SIZE) {
        notes.add("2:4: not searched for --objective size; an ONNX file stores 2:4 weights densely, so its best "
            + "candidate is the INT8-only one");
        continue;
      }
      if (kind == Choice.Sparsity.TWO_OF_FOUR && objective == Objective.LATENCY) {
        notes.add("2:4: not searched for --objective latency; ONNX Runtime runs 2:4 weights with its dense kernels, "
            + "so 2:4 saves no time (any difference measured is noise)");
        continue;
      }
      sparsity(kind, quant, quantOnly).ifPresent(v -> best.put(kind, v));
    }
    Optional<LatencyRace.Result> race = objective == Objective.LATENCY
        ? verifier.confirmLatencies(v -> v.meets(budget) && !v.candidate().empty(), listener) : Optional.empty();
    race.ifPresent(r -> notes.add(raceNote(r)));
    List<Verified> meeting = verifier.verified().stream().filter(v -> v.meets(budget) && !v.candidate().empty())
        .toList();
    // under --objective latency the answer is the race's leader: chosen by its confirmed figure, not a first reading
    Optional<Verified> chosen = race.isPresent()
        ? meeting.stream().filter(v -> v.index() == race.get().leader().index()).findFirst()
        : meeting.stream().min(Comparator.comparingDouble(objective::score));
    Optional<Verified> closest = chosen.isPresent() ? Optional.empty()
        : verifier.verified().stream().filter(v -> v.failure().isEmpty())
            .max(Comparator.comparingDouble(v -> budget.margin(v.quality())));
    chosen.ifPresent(c -> notes.add("chosen: candidate " + c.index() + " (" + c.candidate().describe() + "), the best "
        + objective.id() + (race.isPresent() ? " confirmed in rounds" : "") + " of " + meeting.size()
        + " verified candidates that meet the budget"));
    chosen.flatMap(Verified::confirmedLatency).filter(e -> !e.faster()).ifPresent(e -> notes.add(e.slower()
        ? "latency: the chosen candidate is slower than the original (" + e.describe() + "): nothing the budget "
            + "allows buys time on this machine"
        : "latency: the chosen candidate is not resolved faster than the original: " + e.describe() + "; the "
            + "interval reaches 1, so its gain, if any, is within the machine's noise"));
    return new Outcome(chosen, closest, best, notes, probes, measuredActivations, List.copyOf(timings), race);
  }

  private static String raceNote(LatencyRace.Result r) {
    return String.format(Locale.ROOT, "latency: %d contender%s (meeting the budget, first reading at most %.2f "
        + "above the best ratio) timed in %d rounds in turns with the original and each other (%.0f s), stopped by "
        + "%s; leader candidate %d %s%s", r.entries().size(), r.entries().size() == 1 ? "" : "s", Verifier.REACH,
        r.rounds(), r.seconds(), r.stop().describe(), r.leader().index(), r.leader().estimate().describe(),
        r.entries().size() == 1 ? "" : r.separated() ? ", every other contender resolved slower"
            : ", not separated from candidate " + r.entries().get(1).index() + " "
                + r.entries().get(1).estimate().describe());
  }

  /**
   * INT8 for {@code --objective latency}: only on the operators whose island (that operator alone in INT8) was
   * faster than the original, verified end to end together; when that set misses the budget, bisection on how many
   * keep INT8, those saving the most time first. INT8 that is not faster end to end is left out: on a CPU whose
   * INT8 kernels lose (depthwise convolutions, small channel counts, the quantize and dequantize passes around
   * each layer) the answer is float. Embedding tables are not searched: a table in INT8 saves no time.
   *
   * @return the INT8 choice per operator, empty when none pays
   */
  private Map<String, Choice> fasterInt8() {
    List<Operator> int8 = operators.stream().filter(Operator::int8).filter(o -> !o.table()).toList();
    if (space.int8().isEmpty() || int8.isEmpty()) {
      return Map.of();
    }
    Choice form = Choice.NONE.withQuant(Choice.Quant.STATIC);
    List<LatencySignal.Timing> faster = timings.stream().filter(t -> t.source() == LatencySignal.Source.INT8_ISLAND
        && t.faster()).sorted(Comparator.comparingDouble(LatencySignal.Timing::savedMs).reversed()).toList();
    long timed = timings.stream().filter(t -> t.source() == LatencySignal.Source.INT8_ISLAND).count();
    if (faster.isEmpty()) {
      notes.add("int8: none of the " + timed + " operators timed alone in INT8 is faster than in float (see the "
          + "latency table), so INT8 is left out for --objective latency");
      return Map.of();
    }
    if (!space.int8().contains(Choice.Quant.STATIC)) {
      notes.add("int8: only dynamic INT8 allowed; --objective latency times static INT8 islands, so INT8 is left out");
      return Map.of();
    }
    Verified original = verifier.verify(Candidate.of(operators, Map.of()), listener);
    IntFunction<Map<String, Choice>> firstOf = n -> {
      Map<String, Choice> m = new LinkedHashMap<>();
      faster.subList(0, n).forEach(t -> m.put(t.nodes().get(0), form));
      return m;
    };
    int kept = longestPrefix(faster.size(), true, n -> Candidate.of(operators, firstOf.apply(n)),
        n -> "int8 on the " + n + " operators saving most time alone");
    Map<String, Choice> found = kept == 0 ? Map.of() : firstOf.apply(kept);
    String which = "int8: " + faster.size() + " of " + timed + " operators are faster alone in INT8";
    if (found.isEmpty()) {
      notes.add(which + "; no set of them meets the budget, INT8 left out");
      return Map.of();
    }
    Verified chosen = verifier.verify(Candidate.of(operators, found), listener);
    if (chosen.latencyMs() >= original.latencyMs()) {
      notes.add(String.format(Locale.ROOT, "%s; together (%d, verified) they are not faster than the "
          + "original (%.2f ms against %.2f ms), INT8 left out", which, found.size(), chosen.latencyMs(),
          original.latencyMs()));
      return Map.of();
    }
    notes.add(String.format(Locale.ROOT, "%s; %d of them in INT8 meet the budget and run in %.2f ms "
        + "against %.2f ms (verified)", which, found.size(), chosen.latencyMs(), original.latencyMs()));
    return found;
  }

  /** @return the INT8 choice per operator that meets the budget on its own; empty when none does */
  private Map<String, Choice> quantization() {
    // tables are decided after the other operators' form (tables()): a table reads indices, so no form changes it
    List<Operator> int8 = operators.stream().filter(Operator::int8).filter(o -> !o.table()).toList();
    if (space.int8().isEmpty() || int8.isEmpty()) {
      return Map.of();
    }
    List<Choice.Quant> forms = new ArrayList<>();
    forms.add(Choice.Quant.STATIC);
    if (space.int8().contains(Choice.Quant.DYNAMIC) && int8.stream().anyMatch(Operator::matMul)) {
      forms.add(Choice.Quant.DYNAMIC);
    } else if (space.int8().contains(Choice.Quant.DYNAMIC)) {
      notes.add("int8 dynamic: not tried, no MatMul takes INT8 (dynamic ranges change MatMuls only)");
    }
    if (!space.int8().contains(Choice.Quant.STATIC)) {
      forms.remove(Choice.Quant.STATIC);
    }
    Verified best = null;
    Map<String, Choice> bestChoices = Map.of();
    for (Choice.Quant form : forms) {
      Map<String, Choice> all = new LinkedHashMap<>();
      // dynamic ranges apply to MatMuls; the other operators keep static ones
      int8.forEach(o -> all.put(o.node(), Choice.NONE.withQuant(form == Choice.Quant.DYNAMIC && !o.matMul()
          ? Choice.Quant.STATIC : form)));
      Verified v = verifier.verify(Candidate.of(operators, all), listener);
      if (form == Choice.Quant.STATIC && !v.meets(budget) && v.failure().isEmpty()) {
        v = floatFallback(all, v).orElse(v);
      }
      if (v.meets(budget) && (best == null || objective.score(v) < objective.score(best))) {
        best = v;
        bestChoices = all;
      }
    }
    if (best != null) {
      floatActivations = best.candidate().floatActivations();
      notes.add("int8: " + best.candidate().describe() + " meets the budget on every INT8-capable operator");
      return bestChoices;
    }
    return quantizationBackOff(int8, forms.get(0));
  }

  /**
   * Embedding tables in INT8 on top of the other operators' INT8 choice (whatever it is, none included): every
   * table at once verified end to end; when that misses the budget, bisection on how many tables keep INT8, the
   * costliest by the cheap signal (the table's rows rounded per column) falling back first. The choice without
   * tables stays a verified candidate, so the objective decides between them.
   *
   * @param quant the other operators' INT8 choice
   * @return that choice with the tables that meet the budget in INT8
   */
  private Map<String, Choice> tables(Map<String, Choice> quant) {
    List<Operator> order = new ArrayList<>(operators.stream().filter(o -> o.int8() && o.table()).toList());
    if (space.int8().isEmpty() || order.isEmpty()) {
      return quant;
    }
    order.sort(Comparator.comparingDouble(o -> cost(o.node(), Choice.NONE.withQuant(Choice.Quant.STATIC))));
    IntFunction<Map<String, Choice>> firstOf = n -> {
      Map<String, Choice> m = new LinkedHashMap<>(quant);
      order.subList(0, n).forEach(o -> m.put(o.node(), Choice.NONE.withQuant(Choice.Quant.STATIC)));
      return m;
    };
    int lo = longestPrefix(order.size(), true, n -> withInt8(firstOf.apply(n)),
        n -> "int8 of " + n + " of " + order.size() + " embedding tables");
    Map<String, Choice> found = firstOf.apply(lo);
    Verified all = verifier.verify(withInt8(firstOf.apply(order.size())), listener);
    notes.add(lo == order.size()
        ? "int8 tables: all " + order.size() + " embedding tables in INT8 meet the budget (" + Verifier.describe(all)
            + ")"
        : "int8 tables: all " + order.size() + " embedding tables in INT8 miss the budget (" + Verifier.describe(all)
            + "); bisection kept " + lo + " in INT8 (the costliest by the cheap signal fall back first)");
    return found;
  }

  /**
   * Equalization without explicit {@code Mul}s on top of the INT8 choice: when the INT8 step divided activations
   * by an explicit {@code Mul} (an elementwise op per run that folds into nothing), their readers take
   * {@code compactor_equalization: FOLDED}, the widest activations (the costliest {@code Mul}s) first: all of them
   * verified end to end, and when that misses the budget a bisection on how many of the widest; equalization is
   * accuracy, so the verified runs decide what the budget can spare. The set found is kept, and carried into every
   * later candidate, when the objective gains (a smaller file: the scale vectors go; a faster measured run). Not
   * tried for {@code --objective sparsity}, which it cannot change.
   *
   * @param int8 the verified INT8 choice
   * @return the kept candidate: the one with folded-only equalization, or {@code int8}
   */
  private Verified foldedEqualization(Verified int8) {
    List<ExplicitEqualization.Activation> ranked = ExplicitEqualization.ranked(int8);
    if (ranked.isEmpty() || !int8.meets(budget) || objective == Objective.SPARSITY) {
      return int8;
    }
    IntFunction<List<String>> firstOf = n -> ranked.subList(0, n).stream()
        .flatMap(a -> a.layers().stream()).toList();
    int n = longestPrefix(ranked.size(), true, k -> int8.candidate().withFoldedEqualization(firstOf.apply(k)),
        k -> "equalization folded only on the " + k + " widest of " + ranked.size() + " activations divided by a Mul");
    String which = "equalization: " + ranked.size() + " activations divided by an explicit Mul before INT8 layers";
    if (n == 0) {
      notes.add(which + "; without even the widest one's the candidate misses the budget, all kept");
      return int8;
    }
    Verified folded = verifier.verify(int8.candidate().withFoldedEqualization(firstOf.apply(n)), listener);
    boolean keep = objective.score(folded) < objective.score(int8);
    notes.add(which + "; equalized only where it folds (compactor_equalization: FOLDED) on the " + n + " widest, "
        + ranked.subList(0, n).stream().map(ExplicitEqualization.Activation::tensor).toList() + ": "
        + Verifier.describe(folded) + (keep ? ", kept" : ", not kept: no better " + objective.id()));
    if (!keep) {
      return int8;
    }
    foldedEqualization = folded.candidate().foldedEqualization();
    return folded;
  }

  /**
   * Bisection for the longest prefix of a ranked list whose candidate meets the budget, every step a verified run.
   *
   * @param size the longest prefix to consider
   * @param sizeFirst whether to try that longest one first (when it is the common answer: one run if it holds)
   * @param candidate the candidate with the first {@code n} entries applied
   * @param what the progress text of a step with {@code n} entries
   * @return the longest prefix length found that meets the budget, 0 when none does
   */
  private int longestPrefix(int size, boolean sizeFirst, IntFunction<Candidate> candidate,
      IntFunction<String> what) {
    int lo = 0;
    int hi = size;
    boolean first = sizeFirst;
    while (lo < hi) {
      int mid = first ? hi : (lo + hi + 1) / 2;
      first = false;
      boolean meets = verifier.verify(candidate.apply(mid), listener).meets(budget);
      listener.progress("search", mid, size, what.apply(mid) + ": " + (meets ? "meets" : "misses") + " the budget");
      if (meets) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }

  /**
   * Float fallback of static INT8's activations, Neural Compressor's way: the costliest by the cheap signal
   * first, every set verified end to end. The costliest alone, then all of them (if even that misses, the
   * weights' INT8 error is the rest and fallback cannot help), then bisection on how many of the costliest stay
   * float.
   *
   * @param all static INT8 on every operator
   * @param allStatic its verified run, which missed the budget
   * @return the verified candidate with the fewest activations float that meets the budget
   */
  private Optional<Verified> floatFallback(Map<String, Choice> all, Verified allStatic) {
    measuredActivations = activations.get();
    List<String> ranked = measuredActivations.stream().map(Sensitivity.Activation::tensor).toList();
    if (ranked.isEmpty()) {
      notes.add("int8 static: misses the budget and quantizes no activation a float fallback could keep");
      return Optional.empty();
    }
    Candidate none = Candidate.of(operators, all);
    Verified one = fallback(none, ranked, 1);
    if (one.meets(budget)) {
      notes.add("int8 static: misses the budget (" + Verifier.describe(allStatic) + "); float fallback of the "
          + "costliest activation, " + ranked.get(0) + ", meets it (" + Verifier.describe(one) + ")");
      return Optional.of(one);
    }
    if (ranked.size() == 1) {
      notes.add("int8 static: float fallback of its only quantized activation misses the budget too");
      return Optional.empty();
    }
    Verified every = fallback(none, ranked, ranked.size());
    if (!every.meets(budget)) {
      notes.add("int8 static: even all " + ranked.size() + " quantized activations in float miss the budget ("
          + Verifier.describe(every) + "): the weights' INT8 error is the rest, float fallback cannot help");
      return Optional.empty();
    }
    int lo = 1;
    int hi = ranked.size();
    Verified found = every;
    while (hi - lo > 1) {
      int mid = (lo + hi) / 2;
      Verified v = fallback(none, ranked, mid);
      if (v.meets(budget)) {
        hi = mid;
        found = v;
      } else {
        lo = mid;
      }
    }
    notes.add("int8 static: misses the budget (" + Verifier.describe(allStatic) + "); float fallback of the "
        + hi + " costliest of " + ranked.size() + " quantized activations meets it (bisection, "
        + Verifier.describe(found) + ")");
    return Optional.of(found);
  }

  private Verified fallback(Candidate none, List<String> ranked, int count) {
    Verified v = verifier.verify(none.withFloatActivations(ranked.subList(0, count)), listener);
    listener.progress("search", count, ranked.size(), "int8 static with the " + count + " costliest activations "
        + "float: " + (v.meets(budget) ? "meets" : "misses") + " the budget");
    return v;
  }

  /** @return the INT8 choices as a candidate, with the INT8 choice's float fallback and equalization */
  private Candidate withInt8(Map<String, Choice> choices) {
    return Candidate.of(operators, choices).withFloatActivations(floatActivations)
        .withFoldedEqualization(foldedEqualization);
  }

  /** Bisection on how many operators keep INT8, those whose weights suffer least first. */
  private Map<String, Choice> quantizationBackOff(List<Operator> int8, Choice.Quant form) {
    List<Operator> order = new ArrayList<>(int8);
    order.sort(Comparator.comparingDouble(o -> cost(o.node(), Choice.NONE.withQuant(Choice.Quant.STATIC))));
    IntFunction<Map<String, Choice>> firstOf = n -> {
      Map<String, Choice> m = new LinkedHashMap<>();
      order.subList(0, n).forEach(o -> m.put(o.node(), Choice.NONE.withQuant(form)));
      return m;
    };
    // all of them is known to miss: the longest prefix is at most one shorter
    int kept = longestPrefix(order.size() - 1, false, n -> Candidate.of(operators, firstOf.apply(n)),
        n -> "int8 on the " + n + " operators whose weights suffer least");
    Map<String, Choice> found = kept == 0 ? Map.of() : firstOf.apply(kept);
    notes.add("int8: INT8 on every operator misses the budget; bisection kept it on " + found.size() + " of "
        + order.size() + " operators (float fallback for the rest, costliest first)");
    return found;
  }

  /**
   * Bisection on the cost-per-benefit threshold of one sparsity kind. With INT8 chosen, the bisection runs the
   * sparsity step alone (the INT8 step takes most of a run) against the budget less what INT8 cost on its own;
   * then the combination is verified, backing off threshold by threshold until it meets the budget.
   */
  private Optional<Verified> sparsity(Choice.Sparsity kind, Map<String, Choice> quant, Verified quantOnly) {
    List<Sensitivity.Entry> levels = table.stream().filter(e -> e.choice().sparsity() == kind).toList();
    if (kind == Choice.Sparsity.FILTER && !levels.isEmpty()) {
      probe();
      if (objective == Objective.LATENCY) {
        timeGroups(levels);
      }
    }
    List<Double> thresholds = levels.stream().map(this::efficiency).filter(x -> x < Double.MAX_VALUE).distinct()
        .sorted().toList();
    if (thresholds.isEmpty()) {
      notes.add(kindName(kind) + ": no operator can take it");
      return Optional.empty();
    }
    boolean alone = !quant.isEmpty();
    Budget allowance = alone ? without(quantOnly) : budget;
    int lo = -1;
    int hi = thresholds.size() - 1;
    Verified best = null;
    while (lo < hi) {
      int mid = (lo + hi + 1) / 2;
      Verified v = verifier.verify(candidate(levels, thresholds.get(mid), alone ? Map.of() : quant), listener);
      boolean meets = v.meets(allowance);
      listener.progress("search", mid + 1, thresholds.size(), kindName(kind) + " threshold " + (mid + 1) + " of "
          + thresholds.size() + (alone ? " (sparsity alone)" : "") + ": " + (meets ? "meets " : "misses ")
          + allowance.describe());
      if (meets) {
        lo = mid;
        best = v;
      } else {
        hi = mid - 1;
      }
    }
    String bisection = kindName(kind) + ": bisection over " + thresholds.size() + " thresholds of cost per unit of "
        + objective.id() + (alone ? ", sparsity alone against " + allowance.describe() + " (the budget less INT8's "
        + "own cost)" : "");
    if (lo < 0) {
      notes.add(bisection + ": none meets it");
      return Optional.empty();
    }
    notes.add(bisection + ": threshold " + (lo + 1) + " is the highest that meets it (" + best.candidate().describe()
        + ")");
    if (!alone) {
      return Optional.of(best);
    }
    for (int i = lo; i >= Math.max(0, lo - MAX_BACK_OFF + 1); i--) {
      Verified v = verifier.verify(candidate(levels, thresholds.get(i), quant), listener);
      listener.progress("search", i + 1, thresholds.size(), kindName(kind) + " threshold " + (i + 1)
          + " with INT8: " + (v.meets(budget) ? "meets" : "misses") + " the budget");
      if (v.meets(budget)) {
        notes.add(kindName(kind) + ": with INT8, threshold " + (i + 1) + " meets the budget"
            + (i < lo ? " (backed off " + (lo - i) + " from " + (lo + 1) + ")" : ""));
        return Optional.of(v);
      }
    }
    notes.add(kindName(kind) + ": with INT8 no threshold tried meets the budget (backed off " + MAX_BACK_OFF + ")");
    return Optional.empty();
  }

  /** One sparsity-only run per ratio, every group at that ratio: the bundle's own per-group signal. */
  private void probe() {
    Map<String, Choice> all = new LinkedHashMap<>();
    for (double r : space.filterRatios()) {
      operators.stream().filter(Operator::filter).forEach(o -> all.put(o.node(), Choice.filter(r)));
      Verified v = verifier.verify(Candidate.of(operators, all), listener);
      List<LayerwiseProbe.Result> found = LayerwiseProbe.read(v, r);
      probes.addAll(found);
      listener.progress("search", probes.size(), probes.size(), "layer-wise probe at filter ratio " + r + ": "
          + found.size() + " groups measured by the bundle");
    }
    notes.add("filter pruning: ranked by the bundle's layer-wise signal (one sparsity-only run per ratio, every "
        + "group pruned: consumers' error after refit per parameter removed) where it measured the group, else by "
        + "the stand-in's cost");
  }

  /**
   * For {@code --objective latency}: per ratio, the {@link #TIMED_GROUPS} groups whose pruning removes the most
   * multiply-adds (the probe's figures) are run alone through the bundle, sparsity only; each run's time against
   * the original and its quality after the bundle's refit are the group's latency signal. Groups not timed are
   * not pruned for latency: they hold too little of the compute to buy time.
   */
  private void timeGroups(List<Sensitivity.Entry> levels) {
    Verified original = verifier.verify(Candidate.of(operators, Map.of()), listener);
    for (double r : space.filterRatios()) {
      List<Sensitivity.Entry> heaviest = levels.stream().filter(e -> e.choice().ratio() == r)
          .filter(e -> LayerwiseProbe.find(probes, e).isPresent())
          .sorted(Comparator.comparingLong((Sensitivity.Entry e) -> LayerwiseProbe.find(probes, e).get().macsRemoved())
              .reversed()).limit(TIMED_GROUPS).toList();
      for (Sensitivity.Entry e : heaviest) {
        Map<String, Choice> m = new LinkedHashMap<>();
        e.nodes().forEach(n -> m.put(n, e.choice()));
        Verified v = verifier.verify(Candidate.of(operators, m), listener);
        if (v.failure().isPresent()) {
          continue;
        }
        double ratio = v.latencyMs() / original.latencyMs();
        LatencySignal.Timing t = new LatencySignal.Timing(e.nodes(), e.choice(), ratio,
            original.latencyMs() - v.latencyMs(), LatencySignal.Source.BUNDLE_RUN, Optional.of(v.quality()));
        timings.add(t);
        listener.progress("search", timings.size(), timings.size(), e.node() + " " + e.choice().label() + " alone: "
            + LatencySignal.describe(t) + ", " + Verifier.describe(v));
      }
    }
    notes.add("filter pruning, --objective latency: the " + TIMED_GROUPS + " heaviest groups per ratio (multiply-adds "
        + "removed) timed alone through the bundle against the original; ranked by quality lost (1 − mean cosine, "
        + "after the bundle's refit) per millisecond saved, groups not faster left out");
  }

  /** @return the budget left for sparsity once INT8 has taken its share (never more than the budget) */
  private Budget without(Verified quantOnly) {
    if (quantOnly.failure().isPresent()) {
      return budget;
    }
    if (budget.kind() == Budget.Kind.MAX_DROP) {
      double used = Math.max(0, quantOnly.quality().dropPoints().orElse(0.0));
      return new Budget(budget.kind(), budget.value() - used);
    }
    double used = Math.max(0, 1 - quantOnly.quality().meanCosine());
    return new Budget(budget.kind(), Math.min(1, budget.value() + used));
  }

  /** @return per operator the most aggressive level within the threshold, with its INT8 choice */
  private Candidate candidate(List<Sensitivity.Entry> levels, double threshold, Map<String, Choice> quant) {
    Map<String, Choice> m = new LinkedHashMap<>(quant);
    for (Sensitivity.Entry e : levels) {
      if (efficiency(e) > threshold) {
        continue;
      }
      for (String node : e.nodes()) {
        Choice now = m.getOrDefault(node, Choice.NONE);
        if (e.choice().removedShare() > now.removedShare()) {
          m.put(node, new Choice(e.choice().sparsity(), e.choice().ratio(), now.quant()));
        }
      }
    }
    return withInt8(m);
  }

  /**
   * Cost per unit of the objective's gain; the gain is the weights removed (bytes, zeros, multiply-adds alike),
   * for filter pruning including the input channels its consumers lose; for latency, the quality the group's own
   * run lost per millisecond it saved.
   */
  private double efficiency(Sensitivity.Entry e) {
    if (objective == Objective.LATENCY) {
      Optional<LatencySignal.Timing> t = LatencySignal.find(timings, e.nodes(), e.choice())
          .filter(x -> x.source() == LatencySignal.Source.BUNDLE_RUN);
      if (t.isEmpty() || !t.get().faster()) {
        return Double.MAX_VALUE;
      }
      double lost = Math.max(1e-12, 1 - t.get().quality().orElseThrow().meanCosine());
      return lost / t.get().savedMs();
    }
    Optional<LayerwiseProbe.Result> p = e.choice().sparsity() == Choice.Sparsity.FILTER
        ? LayerwiseProbe.find(probes, e) : Optional.empty();
    if (p.isPresent()) {
      long gain = objective == Objective.LATENCY ? p.get().macsRemoved() : p.get().paramsRemoved();
      return gain <= 0 ? Double.MAX_VALUE : p.get().error() / gain;
    }
    List<String> touched = new ArrayList<>(e.nodes());
    if (e.choice().sparsity() == Choice.Sparsity.FILTER) {
      e.consumers().stream().filter(c -> !touched.contains(c)).forEach(touched::add);
    }
    long weights = operators.stream().filter(o -> touched.contains(o.node())).mapToLong(Operator::weights).sum();
    double gain = objective == Objective.SIZE && e.choice().sparsity() == Choice.Sparsity.TWO_OF_FOUR ? 0
        : weights * e.choice().removedShare();
    return gain <= 0 ? Double.MAX_VALUE : e.cost() / gain;
  }

  private double cost(String node, Choice c) {
    return table.stream().filter(e -> e.nodes().equals(List.of(node)) && e.choice().equals(c)).mapToDouble(
        Sensitivity.Entry::cost).findFirst().orElse(0);
  }

  static String kindName(Choice.Sparsity kind) {
    return kind == Choice.Sparsity.FILTER ? "filter pruning" : kind == Choice.Sparsity.TWO_OF_FOUR ? "2:4" : "int8 only";
  }
}
