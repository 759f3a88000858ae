package io.compactor.core.tune;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** {@code tune-report.json} and {@code tune-report.md}: the same facts, for programs and for people. */
final class TuneReport {
  private TuneReport() {}

  /** Everything the report shows. */
  record Facts(TuneRequest request, SearchSpace space, List<Operator> operators, List<Sensitivity.Entry> sensitivity,
      Verified baseline, List<Verified> verified, Search.Outcome outcome, TuneResult result,
      double sensitivitySeconds, double activationSeconds, double latencySeconds) {}

  static Map<String, Object> json(Facts f) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("model", f.request().model().toString());
    m.put("status", f.result().met() ? "met" : "not-met");
    m.put("answer", f.result().answer());
    Map<String, Object> budget = new LinkedHashMap<>();
    budget.put("kind", f.request().budget().kind() == Budget.Kind.MAX_DROP ? "max-drop" : "min-fidelity");
    budget.put("value", f.request().budget().value());
    budget.put("margin", f.result().margin());
    Quality chosen = f.result().result().quality();
    chosen.dropStandardError().ifPresent(se -> {
      budget.put("evalSamples", chosen.samples());
      if (f.request().budget().kind() == Budget.Kind.MAX_DROP) {
        budget.put("marginSamples", marginSamples(f.result()));
      }
      budget.put("dropStandardError", se);
    });
    m.put("budget", budget);
    m.put("objective", f.request().objective().id());
    Map<String, Object> space = new LinkedHashMap<>();
    space.put("twoOfFour", f.space().twoOfFour());
    space.put("filter", f.space().filter());
    space.put("filterRatios", f.space().filterRatios());
    space.put("int8", f.space().int8().stream().map(Choice.Quant::id).sorted().toList());
    m.put("space", space);
    m.put("result", verified(f.result().result()));
    m.put("baseline", verified(f.baseline()));
    List<Map<String, Object>> ops = new ArrayList<>();
    for (Operator op : f.operators()) {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("node", op.node());
      o.put("opType", op.opType());
      o.put("weights", op.weights());
      o.put("choice", f.result().result().candidate().choice(op.node()).label());
      ops.add(o);
    }
    m.put("operators", ops);
    List<Map<String, Object>> sens = new ArrayList<>();
    for (Sensitivity.Entry e : f.sensitivity()) {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("node", e.node());
      o.put("nodes", e.nodes());
      o.put("opType", e.opType());
      o.put("candidate", e.choice().label());
      o.put("cost", e.cost());
      o.put("meanCosine", e.quality().meanCosine());
      e.quality().dropPoints().ifPresent(d -> o.put("dropPoints", d));
      o.put("weightError", e.weightError());
      LatencySignal.find(f.outcome().timings(), e.nodes(), e.choice()).ifPresent(t -> {
        o.put("latencyRatio", t.ratio());
        o.put("latencySavedMs", t.savedMs());
      });
      sens.add(o);
    }
    m.put("sensitivity", sens);
    m.put("floatFallback", floatFallback(f));
    List<Map<String, Object>> probes = new ArrayList<>();
    for (LayerwiseProbe.Result p : f.outcome().probes()) {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("producers", p.producers());
      o.put("ratio", p.ratio());
      o.put("errorAfterRefit", p.error());
      o.put("paramsRemoved", p.paramsRemoved());
      o.put("macsRemoved", p.macsRemoved());
      probes.add(o);
    }
    m.put("layerwise", probes);
    List<Map<String, Object>> timings = new ArrayList<>();
    for (LatencySignal.Timing t : f.outcome().timings()) {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("nodes", t.nodes());
      o.put("candidate", t.choice().label());
      o.put("ratio", t.ratio());
      o.put("savedMs", t.savedMs());
      o.put("source", t.source() == LatencySignal.Source.INT8_ISLAND ? "int8-island" : "bundle-run");
      t.quality().ifPresent(q -> {
        o.put("meanCosine", q.meanCosine());
        q.dropPoints().ifPresent(d -> o.put("dropPoints", d));
      });
      timings.add(o);
    }
    m.put("latency", timings);
    f.outcome().race().ifPresent(r -> m.put("latencyConfirmation", race(r, f.result().result())));
    m.put("verified", f.verified().stream().map(TuneReport::verified).toList());
    m.put("notes", f.outcome().notes());
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("totalSeconds", f.result().seconds());
    t.put("sensitivitySeconds", f.sensitivitySeconds());
    t.put("activationSensitivitySeconds", f.activationSeconds());
    t.put("latencySignalSeconds", f.latencySeconds());
    t.put("verifySeconds", f.verified().stream().mapToDouble(Verified::seconds).sum());
    t.put("verifiedCandidates", f.verified().size());
    m.put("durations", t);
    return m;
  }

  /** The activations static INT8 quantizes, each quantized alone, and which of them the result keeps float. */
  private static Map<String, Object> floatFallback(Facts f) {
    List<String> chosen = f.result().result().candidate().floatActivations();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("measured", !f.outcome().activations().isEmpty());
    m.put("chosen", chosen);
    List<Map<String, Object>> rows = new ArrayList<>();
    for (Sensitivity.Activation a : f.outcome().activations()) {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("tensor", a.tensor());
      o.put("role", a.target().role());
      o.put("readers", a.target().readers());
      o.put("rangeLo", a.range().lo());
      o.put("rangeHi", a.range().hi());
      o.put("tensorError", a.range().relativeError());
      o.put("zeroedShare", a.range().zeroed());
      o.put("cost", a.cost());
      o.put("meanCosine", a.quality().meanCosine());
      a.quality().dropPoints().ifPresent(d -> o.put("dropPoints", d));
      o.put("float", chosen.contains(a.tensor()));
      rows.add(o);
    }
    m.put("candidates", rows);
    return m;
  }

  private static Map<String, Object> verified(Verified v) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("index", v.index());
    m.put("candidate", v.candidate().describe());
    Map<String, String> choices = new LinkedHashMap<>();
    v.candidate().choices().forEach((node, c) -> choices.put(node, c.label()));
    m.put("choices", choices);
    m.put("floatActivations", v.candidate().floatActivations());
    m.put("foldedEqualization", v.candidate().foldedEqualization());
    v.quality().dropPoints().ifPresent(d -> m.put("dropPoints", d));
    v.quality().dropStandardError().ifPresent(se -> {
      m.put("evalSamples", v.quality().samples());
      m.put("changedTop1", v.quality().changedTop1());
      m.put("dropStandardError", se);
    });
    m.put("meanCosine", v.quality().meanCosine());
    m.put("deployBytes", v.deployBytes());
    m.put("latencyMs", v.latencyMs());
    v.confirmedLatency().ifPresent(e -> m.put("confirmedLatency", estimate(e)));
    m.put("sparsity", v.candidate().sparsity());
    m.put("seconds", v.seconds());
    v.failure().ifPresent(r -> m.put("failure", r));
    return m;
  }

  /** @return a confirmed ratio to the original as the report and the events show it */
  static Map<String, Object> estimate(LatencyEstimate e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("ratio", e.median());
    m.put("low", e.low());
    m.put("high", e.high());
    m.put("confidence", LatencyEstimate.CONFIDENCE);
    m.put("rounds", e.rounds());
    m.put("fasterThanOriginal", fasterThanOriginal(e));
    return m;
  }

  /** @return {@code resolved} (interval below 1), {@code not-resolved} (it holds 1) or {@code slower} (above 1) */
  static String fasterThanOriginal(LatencyEstimate e) {
    return e.faster() ? "resolved" : e.slower() ? "slower" : "not-resolved";
  }

  /** The contenders timed in rounds: how the race ended and each one's confirmed ratio. */
  private static Map<String, Object> race(LatencyRace.Result r, Verified result) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("reach", Verifier.REACH);
    m.put("maxContenders", Verifier.MAX_CONTENDERS);
    m.put("rounds", r.rounds());
    m.put("maxRounds", LatencyRace.MAX_ROUNDS);
    m.put("stop", r.stop().id());
    m.put("seconds", r.seconds());
    m.put("leader", r.leader().index());
    m.put("separated", r.separated());
    result.confirmedLatency().ifPresent(e -> m.put("fasterThanOriginal", fasterThanOriginal(e)));
    List<Map<String, Object>> rows = new ArrayList<>();
    for (LatencyRace.Entry e : r.entries()) {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("index", e.index());
      o.put("firstRatio", e.firstRatio());
      o.putAll(estimate(e.estimate()));
      o.put("out", e.out());
      rows.add(o);
    }
    m.put("contenders", rows);
    return m;
  }

  /** @return the margin of a top-1 budget in samples: how many more samples the result could lose and meet it */
  static double marginSamples(TuneResult r) {
    return r.margin() * r.result().quality().samples() / 100;
  }

  /**
   * @return a warning when a met top-1 budget is met by less than two standard errors of the drop: on other data
   *     of the same kind the drop may well exceed it
   */
  static Optional<String> withinNoise(Facts f) {
    TuneResult r = f.result();
    Quality q = r.result().quality();
    if (!r.met() || f.request().budget().kind() != Budget.Kind.MAX_DROP || q.dropStandardError().isEmpty()
        || r.margin() >= 2 * q.dropStandardError().get()) {
      return Optional.empty();
    }
    double se = q.dropStandardError().get();
    return Optional.of(String.format(Locale.ROOT, "%n**Within the eval data's noise:** the margin, %.2f points (%.0f "
        + "of %d samples), is %.1f times the drop's standard error of %.2f points, so on other data of this kind the "
        + "drop may exceed the budget. To be sure, tune on more eval data or with a smaller `--max-drop`, or check "
        + "`tuned.cfg` on held-out data.%n", r.margin(), marginSamples(r), q.samples(), r.margin() / se, se));
  }

  static String markdown(Facts f) {
    StringBuilder s = new StringBuilder();
    TuneResult r = f.result();
    Verified v = r.result();
    s.append("# Tune report: ").append(f.request().model().getFileName()).append("\n\n");
    s.append("**").append(r.met() ? "Met" : "Not met").append(":** ").append(r.answer()).append("\n\n");
    s.append("| | original | ").append(r.met() ? "chosen" : "closest").append(" (candidate ").append(v.index())
        .append(") |\n|---|---|---|\n");
    s.append("| configuration | — | ").append(v.candidate().describe()).append(" |\n");
    v.quality().dropPoints().ifPresent(d -> s.append(String.format(Locale.ROOT,
        "| top-1 drop (points) | 0 | %.2f (budget %s, margin %+.2f)%s |%n", d, f.request().budget().describe(),
        r.margin(), v.quality().dropStandardError().map(se -> String.format(Locale.ROOT,
            "; standard error %.2f over %d samples, %d of them with another top-1 than the original's", se,
            v.quality().samples(), v.quality().changedTop1())).orElse(""))));
    s.append(String.format(Locale.ROOT, "| mean cosine | 1 | %.5f |%n", v.quality().meanCosine()));
    s.append(String.format(Locale.ROOT, "| deploy file | %s | %s |%n", kb(f.baseline().deployBytes()),
        kb(v.deployBytes())));
    s.append(String.format(Locale.ROOT, "| latency per batch | %.2f ms | %.2f ms%s |%n", f.baseline().latencyMs(),
        v.latencyMs(), v.confirmedLatency().map(e -> ": " + e.describe() + " in turns with the original")
            .orElse("")));
    s.append(String.format(Locale.ROOT, "| weights removed or zero | 0 %% | %.1f %% |%n", 100 * v.candidate().sparsity()));
    if (!v.candidate().floatActivations().isEmpty()) {
      s.append("| activations kept float | — | `").append(String.join("`, `", v.candidate().floatActivations()))
          .append("` |\n");
    }
    withinNoise(f).ifPresent(s::append);
    v.confirmedLatency().filter(e -> !e.faster()).ifPresent(e -> s.append(String.format(Locale.ROOT, e.slower()
        ? "%n**Slower than the original:** the %s is timed at %s.%n"
        : "%n**Not resolved faster than the original:** the %s is timed at %s; the interval reaches 1, so this "
            + "run does not show a speed-up (its gain, if any, is within the machine's noise). Time it on a quieter "
            + "machine to decide.%n", r.met() ? "chosen candidate" : "closest candidate", e.describe())));
    s.append(String.format(Locale.ROOT, "%nObjective: %s. Tuning took %.0f s (%d candidates verified end to end).%n%n",
        f.request().objective().id(), r.seconds(), f.verified().size()));
    s.append("## Per operator\n\n| operator | type | weights | choice |\n|---|---|---|---|\n");
    for (Operator op : f.operators()) {
      s.append("| `").append(op.node()).append("` | ").append(op.opType()).append(" | ").append(op.weights())
          .append(" | ").append(v.candidate().choice(op.node()).label()).append(" |\n");
    }
    s.append("\n## Sensitivity (costliest first)\n\nEach candidate alone on one operator, as a cheap stand-in of the "
        + "method (magnitude 2:4, lowest-L2 filters zeroed, INT8 weight rounding; no reconstruction), on up to "
        + Sensitivity.MAX_SAMPLES + " eval samples. Cost = 1 − mean cosine of the output; the search ranks by "
        + "it per unit of objective and verifies only combinations end to end. See `sensitivity.svg`.\n\n");
    boolean timed = !f.outcome().timings().isEmpty();
    s.append("| operator | candidate | cost | top-1 drop | weight error |").append(timed ? " time vs original |" : "")
        .append("\n|---|---|---|---|---|").append(timed ? "---|" : "").append('\n');
    for (Sensitivity.Entry e : f.sensitivity()) {
      s.append(String.format(Locale.ROOT, "| `%s` | %s | %.2e | %s | %.3f |", e.node(), e.choice().label(),
          e.cost(), e.quality().dropPoints().map(d -> String.format(Locale.ROOT, "%.2f", d)).orElse("—"),
          e.weightError()));
      if (timed) {
        s.append(' ').append(LatencySignal.find(f.outcome().timings(), e.nodes(), e.choice())
            .map(LatencySignal::describe).orElse("—")).append(" |");
      }
      s.append('\n');
    }
    if (!f.outcome().probes().isEmpty()) {
      s.append("\nThe filter-pruning bundle's own layer-wise signal (every group pruned at one ratio, sparsity alone): "
          + "the consumers' relative output error after its least-squares refit, and what the group removed.\n\n"
          + "| group (producers) | ratio | error after refit | parameters removed |\n|---|---|---|---|\n");
      f.outcome().probes().stream().sorted((a, b) -> Double.compare(b.error(), a.error())).forEach(p -> s.append(
          String.format(Locale.ROOT, "| `%s` | %.2f | %.4f | %d |%n", String.join("`, `", p.producers()), p.ratio(),
              p.error(), p.paramsRemoved())));
    }
    latencyMarkdown(s, f);
    raceMarkdown(s, f);
    floatFallbackMarkdown(s, f);
    s.append("\n## Candidates verified end to end\n\nSee `tradeoff.svg`.\n\n| # | configuration | top-1 drop | "
        + "mean cosine | deploy file | latency | meets budget | seconds |\n|---|---|---|---|---|---|---|---|\n");
    for (Verified c : f.verified()) {
      s.append(String.format(Locale.ROOT, "| %d | %s | %s | %.5f | %s | %.2f ms | %s | %.1f |%n", c.index(),
          c.candidate().describe(), c.quality().dropPoints().map(d -> String.format(Locale.ROOT, "%.2f", d))
              .orElse("—"), c.quality().meanCosine(), kb(c.deployBytes()), c.latencyMs(),
          c.failure().map(x -> "failed: " + x).orElse(c.meets(f.request().budget()) ? "yes" : "no"), c.seconds()));
    }
    s.append("\n## How the search decided\n\n");
    f.outcome().notes().forEach(n -> s.append("- ").append(n).append('\n'));
    return s.toString();
  }

  private static void latencyMarkdown(StringBuilder s, Facts f) {
    if (f.outcome().timings().isEmpty()) {
      return;
    }
    s.append(String.format(Locale.ROOT, "%n## Latency per operator and group (most time saved first)%n%nEach "
        + "candidate alone, timed against the original in turns on one batch (the original: %.2f ms). INT8: the "
        + "original with only that operator in the bundle's QDQ form (an island: its input quantized, its output "
        + "quantized again), not a bundle run. Filter pruning: the bundle's run of that group alone at that ratio, "
        + "channels removed and consumers refitted, with what it cost in quality. The search keeps INT8 only where "
        + "the island is faster and prunes the groups that lose least quality per millisecond saved.%n%n"
        + "| operator / group | candidate | time vs original | saved per batch | top-1 drop | mean cosine "
        + "| timed on |%n"
        + "|---|---|---|---|---|---|---|%n", f.baseline().latencyMs()));
    f.outcome().timings().stream().sorted((a, b) -> Double.compare(b.savedMs(), a.savedMs())).forEach(t -> s.append(
        String.format(Locale.ROOT, "| `%s` | %s | ×%.3f | %+.2f ms | %s | %s | %s |%n", String.join("`, `", t.nodes()),
            t.choice().label(), t.ratio(), t.savedMs(), t.quality().flatMap(Quality::dropPoints)
                .map(d -> String.format(Locale.ROOT, "%.2f", d)).orElse("—"),
            t.quality().map(q -> String.format(Locale.ROOT, "%.5f", q.meanCosine())).orElse("—"),
            t.source() == LatencySignal.Source.INT8_ISLAND ? "INT8 island" : "bundle run")));
  }

  private static void raceMarkdown(StringBuilder s, Facts f) {
    if (f.outcome().race().isEmpty()) {
      return;
    }
    LatencyRace.Result r = f.outcome().race().get();
    long meeting = f.verified().stream().filter(v -> v.meets(f.request().budget()) && !v.candidate().empty()).count();
    s.append(String.format(Locale.ROOT, "%n## Latency confirmed in rounds%n%n%d of the %d candidates that meet the "
        + "budget (those whose first reading was at most %.2f above the best, at most %d, the fastest first readings "
        + "first) were timed again in rounds, each round all of them "
        + "in turns with the original (%d warm-up and %d timed runs each, medians compared); a contender whose %.0f %% "
        + "interval of the median ratio lay wholly above the leader's left the race. %d rounds in %.0f s, stopped "
        + "by %s. The first reading is not counted.%n%n| candidate | first reading | confirmed ratio | %.0f %% "
        + "interval | rounds | faster than the original |%n|---|---|---|---|---|---|%n", r.entries().size(), meeting,
        Verifier.REACH, Verifier.MAX_CONTENDERS,
        LatencyMeter.WARMUP, LatencyMeter.RUNS, 100 * LatencyEstimate.CONFIDENCE, r.rounds(), r.seconds(),
        r.stop().describe(), 100 * LatencyEstimate.CONFIDENCE));
    for (LatencyRace.Entry e : r.entries()) {
      LatencyEstimate x = e.estimate();
      s.append(String.format(Locale.ROOT, "| %s | ×%.3f | ×%.3f | ×%.3f–%.3f | %d%s | %s |%n",
          e.index() == r.leader().index() ? "**" + e.index() + "** (leader)" : String.valueOf(e.index()),
          e.firstRatio(), x.median(), x.low(), x.high(),
          x.rounds(), e.out() ? " (out: slower than the leader)" : "",
          x.faster() ? "yes" : x.slower() ? "no (slower)" : "not resolved"));
    }
  }

  private static void floatFallbackMarkdown(StringBuilder s, Facts f) {
    if (f.outcome().activations().isEmpty()) {
      return;
    }
    List<String> chosen = f.result().result().candidate().floatActivations();
    s.append("\n## Float fallback: static INT8 activations (costliest first)\n\nStatic INT8 missed the budget, so "
        + "each activation it quantizes was quantized alone (UINT8, range searched on the calibration data as the "
        + "step does) on up to " + Sensitivity.MAX_SAMPLES + " eval samples; the search then verified the costliest "
        + "in float (`compactor_float_activations`) end to end (see the notes below).\n\n"
        + "Values zeroed: the share of non-zero values that fall within half a step of 0 and quantize to 0 (what "
        + "an outlier does to the rest of the tensor).\n\n"
        + "| tensor | role | read by | range | values zeroed | cost | top-1 drop | kept float |\n"
        + "|---|---|---|---|---|---|---|---|\n");
    for (Sensitivity.Activation a : f.outcome().activations()) {
      s.append(String.format(Locale.ROOT, "| `%s` | %s | %s | [%.3g, %.3g] | %.1f %% | %.2e | %s | %s |%n", a.tensor(),
          a.target().role(), String.join(", ", a.target().readers()), a.range().lo(), a.range().hi(),
          100 * a.range().zeroed(), a.cost(), a.quality().dropPoints().map(d -> String.format(Locale.ROOT, "%.2f",
              d)).orElse("—"), chosen.contains(a.tensor()) ? "**yes**" : "no"));
    }
  }

  static String kb(long bytes) {
    return String.format(Locale.ROOT, "%.1f kB", bytes / 1024.0);
  }
}
