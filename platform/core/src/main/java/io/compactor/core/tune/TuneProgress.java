package io.compactor.core.tune;

import io.compactor.core.job.EventSink;
import io.compactor.core.job.EventType;
import io.compactor.core.job.JobEvent;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A tune's progress as {@code tune.progress} events: the phase ({@code sensitivity}, {@code search},
 * {@code verify}, {@code confirm}), its counts, what was just measured and the best candidate verified so far (the
 * best that meets the budget, else the closest to it; under {@code --objective latency}, once the contenders are
 * timed in rounds, the leader by its confirmed latency). Sensitivity events, one per operator and candidate, are
 * throttled to 4 a second (the last always goes); every search step and verified candidate is an event.
 */
final class TuneProgress implements TuneListener {
  private static final long INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
  private final String jobId;
  private final Budget budget;
  private final Objective objective;
  private final EventSink events;
  private Verified best;
  private int verified;
  private long last = System.nanoTime() - INTERVAL_NANOS;

  TuneProgress(String jobId, Budget budget, Objective objective, EventSink events) {
    this.jobId = jobId;
    this.budget = budget;
    this.objective = objective;
    this.events = events;
  }

  @Override
  public synchronized void progress(String phase, int done, int total, String detail) {
    long now = System.nanoTime();
    if (phase.equals("sensitivity") && done < total && now - last < INTERVAL_NANOS) {
      return;
    }
    if (phase.equals("verify")) {
      return; // published by verified(), once the candidate's figures are in
    }
    last = now;
    publish(phase, done, total, detail);
  }

  @Override
  public synchronized void verified(Verified v) {
    verified++;
    if (v.failure().isEmpty() && !v.candidate().empty() && better(v)) {
      best = v;
    }
    publish("verify", verified, verified, "candidate " + v.index() + " (" + v.candidate().describe() + "): "
        + Verifier.describe(v));
  }

  /** The contenders were timed in rounds: from now on the best is the leader, by its confirmed latency. */
  @Override
  public synchronized void confirmed(Verified leader) {
    best = leader;
    publish("confirm", verified, verified, "candidate " + leader.index() + " (" + leader.candidate().describe()
        + ") leads by its confirmed latency: " + leader.confirmedLatency().map(LatencyEstimate::describe).orElse(""));
  }

  /** @return how many candidates were verified so far */
  synchronized int verified() {
    return verified;
  }

  /** Meeting the budget beats missing it; among those meeting it the objective decides, else the margin. */
  private boolean better(Verified v) {
    if (best == null) {
      return true;
    }
    boolean meets = v.meets(budget);
    if (meets != best.meets(budget)) {
      return meets;
    }
    return meets ? objective.score(v) < objective.score(best) : budget.margin(v.quality()) > budget.margin(
        best.quality());
  }

  private void publish(String phase, int done, int total, String detail) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("phase", phase);
    data.put("done", done);
    data.put("total", total);
    data.put("percent", total <= 0 ? 100.0 : Math.min(100.0, 100.0 * done / total));
    data.put("detail", detail);
    data.put("candidatesVerified", verified);
    if (best != null) {
      data.put("best", candidate(best, budget, objective));
    }
    events.publish(JobEvent.of(EventType.TUNE_PROGRESS, jobId, data));
  }

  /** @return a verified candidate as events show it */
  static Map<String, Object> candidate(Verified v, Budget budget, Objective objective) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("index", v.index());
    m.put("choices", v.candidate().describe());
    m.put("meetsBudget", v.meets(budget));
    finite(m, "margin", budget.margin(v.quality()));
    finite(m, "meanCosine", v.quality().meanCosine());
    v.quality().dropPoints().ifPresent(d -> finite(m, "dropPoints", d));
    m.put("deployBytes", v.deployBytes());
    finite(m, "latencyMs", v.latencyMs());
    v.confirmedLatency().ifPresent(e -> m.put("confirmedLatency", TuneReport.estimate(e)));
    finite(m, "objectiveValue", objectiveValue(v, objective));
    return m;
  }

  /**
   * @return the {@code tune} object of the {@code completed} event: whether the budget is met and by how much, the
   *     chosen (or closest) candidate and its objective value, the number of candidates verified
   */
  static Map<String, Object> result(TuneRequest request, TuneResult r, int verified) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("budgetMet", r.met());
    Map<String, Object> b = new LinkedHashMap<>();
    b.put("kind", request.budget().kind() == Budget.Kind.MAX_DROP ? "maxDrop" : "minFidelity");
    b.put("value", request.budget().value());
    m.put("budget", b);
    finite(m, "margin", r.margin());
    m.put("objective", request.objective().id());
    m.put("candidate", candidate(r.result(), request.budget(), request.objective()));
    m.put("candidatesVerified", verified);
    finite(m, "seconds", r.seconds());
    m.put("answer", r.answer());
    return m;
  }

  /** @return the objective's value in its own unit: deploy bytes, milliseconds, or the share of weights removed */
  static double objectiveValue(Verified v, Objective objective) {
    return objective == Objective.SPARSITY ? v.candidate().sparsity() : objective.score(v);
  }

  private static void finite(Map<String, Object> m, String key, double value) {
    if (Double.isFinite(value)) {
      m.put(key, value);
    }
  }
}
