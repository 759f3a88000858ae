package io.compactor.core.output;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.compactor.api.LayerResult;
import io.compactor.api.RetrainOutcome;
import io.compactor.api.StepResult;
import io.compactor.core.job.JobRequest;
import io.compactor.core.plan.Plan;
import io.compactor.core.plan.PlanJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Collects what {@code report.json} says about one job while it runs: the plan with reasons, every step with
 * its provider, summary, warnings and per-layer statistics, sizes, quality and phase durations. The
 * {@code completed} event's summary is drawn from the same numbers.
 */
public final class JobReport {
  private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private final long started = System.nanoTime();
  private final Map<String, Object> root = new LinkedHashMap<>();
  private final Map<String, Object> durations = new LinkedHashMap<>();
  private final List<Object> steps = new ArrayList<>();
  private final List<Object> bundles = new ArrayList<>();
  private final Map<String, Object> summary = new LinkedHashMap<>();

  /** @param request the job, whose inputs the report names */
  public JobReport(JobRequest request) {
    root.put("jobId", request.jobId());
    root.put("inputs", new LinkedHashMap<>(request.inputs()));
  }

  /** Runs one phase of the job and records its wall time under {@code phase}. */
  public <T> T time(String phase, Supplier<T> work) {
    long start = System.nanoTime();
    try {
      return work.get();
    } finally {
      durations.put(phase + "Ms", (System.nanoTime() - start) / 1_000_000);
    }
  }

  /** Records the plan with its reasons and the operator counts of the summary. */
  public void plan(Plan plan) {
    root.put("plan", PlanJson.tree(plan));
    summary.put("operators", plan.operators().size());
    summary.put("compressedOperators", plan.compressedCount());
  }

  /** Records one completed step: its provider, duration, summary, warnings and per-layer statistics. */
  public void step(String capability, String stage, Map<String, Object> provider, Duration took, StepResult result,
      List<String> warnings) {
    Map<String, Object> step = new LinkedHashMap<>();
    step.put("capability", capability);
    step.put("stage", stage);
    step.put("provider", provider);
    step.put("durationMs", took.toMillis());
    step.put("summary", result.summary());
    step.put("warnings", warnings);
    List<Object> layers = new ArrayList<>();
    for (LayerResult layer : result.layers()) {
      Map<String, Object> l = new LinkedHashMap<>();
      l.put("node", layer.node());
      l.putAll(layer.metrics());
      layers.add(l);
    }
    step.put("layers", layers);
    steps.add(step);
    durations.put(capability + "Ms", took.toMillis());
    Map<String, Object> bundle = new LinkedHashMap<>(provider);
    bundle.put("capability", capability);
    bundle.put("durationMs", took.toMillis());
    bundles.add(bundle);
  }

  /**
   * Records what retraining achieved ({@code retraining} section).
   *
   * @param outcome the retraining step's result
   * @param provider {@code bundle} and {@code version} of the retraining provider
   */
  public void retraining(RetrainOutcome outcome, Map<String, Object> provider) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("applied", true);
    r.put("provider", provider);
    putFinite(r, "before", outcome.before());
    putFinite(r, "after", outcome.after());
    r.put("seconds", outcome.seconds());
    r.put("epochs", outcome.epochs());
    r.put("lockWaitSeconds", outcome.lockWaitSeconds());
    putFinite(r, "loss", outcome.finalLoss());
    root.put("retraining", r);
    putFinite(summary, "retrainedBefore", outcome.before());
    putFinite(summary, "retrainedAfter", outcome.after());
    summary.put("retrainedEpochs", outcome.epochs());
    summary.put("retrainedSeconds", outcome.seconds());
  }

  /** Records that the configuration asked for retraining but the job runs without it, and why. */
  public void retrainingSkipped(String reason) {
    root.put("retraining", Map.of("applied", false, "reason", reason));
    warning("retraining skipped: " + reason);
  }

  /** Records a job-level warning (top-level {@code warnings} of the report). */
  public void warning(String message) {
    @SuppressWarnings("unchecked")
    List<Object> w = (List<Object>) root.computeIfAbsent("warnings", k -> new ArrayList<>());
    w.add(message);
  }

  /** JSON has no NaN: a figure that could not be measured (nothing held out) is left out. */
  private static void putFinite(Map<String, Object> m, String key, double v) {
    if (Double.isFinite(v)) {
      m.put(key, v);
    }
  }

  /**
   * Records the file sizes of the original and the written models.
   *
   * @throws OutputException (stage {@code io}) when a file cannot be read
   */
  public void sizes(Path original, OutputFiles files) {
    try {
      long before = Files.size(original);
      long after = Files.size(files.deployModel());
      Map<String, Object> sizes = new LinkedHashMap<>();
      sizes.put("originalBytes", before);
      sizes.put("deployBytes", after);
      sizes.put("fakequantBytes", Files.size(files.fakequantModel()));
      sizes.put("compressionRatio", (double) before / after);
      root.put("sizes", sizes);
      summary.put("originalBytes", before);
      summary.put("deployBytes", after);
      summary.put("compressionRatio", (double) before / after);
    } catch (IOException e) {
      throw new OutputException("io", "cannot read the size of the outputs: " + e, e);
    }
  }

  /** Records the evaluation; {@code onEvalData} false means it ran on the calibration data. */
  public void quality(Evaluator.Quality quality, boolean onEvalData) {
    Map<String, Object> q = new LinkedHashMap<>();
    q.put("data", onEvalData ? "eval" : "calibration (no eval data given)");
    q.putAll(quality.toMap());
    if (quality.accuracyOriginal().isPresent() && quality.accuracyCompressed().isPresent()) {
      double delta = 100 * (quality.accuracyCompressed().get() - quality.accuracyOriginal().get());
      q.put("accuracyDeltaPoints", delta);
      summary.put("top1Original", quality.accuracyOriginal().get());
      summary.put("top1Compressed", quality.accuracyCompressed().get());
      summary.put("accuracyDelta", delta);
    }
    root.put("quality", q);
    summary.put("meanCosine", quality.fidelity().meanCosine());
    summary.put("worstCosine", quality.fidelity().worstCosine());
    // with the sample count, how far a top-1 figure can be trusted (tune reports the drop's standard error)
    summary.put("evalSamples", quality.samples());
    summary.put("top1Agreement", quality.fidelity().top1Agreement());
    summary.put("latencyOriginalMs", quality.latencyOriginal().medianMillis());
    summary.put("latencyCompressedMs", quality.latencyCompressed().medianMillis());
  }

  /** @return the figures of the {@code completed} event */
  public Map<String, Object> summary() {
    Map<String, Object> s = new LinkedHashMap<>(summary);
    s.put("bundles", List.copyOf(bundles));
    s.put("durationMs", elapsedMillis());
    return s;
  }

  /**
   * Writes {@code report.json}.
   *
   * @throws OutputException (stage {@code export}) when the file cannot be written
   */
  public void write(Path file) {
    root.put("steps", steps);
    root.put("bundles", bundles);
    durations.put("totalMs", elapsedMillis());
    root.put("durations", durations);
    root.put("summary", summary());
    try {
      MAPPER.writeValue(file.toFile(), root);
    } catch (IOException e) {
      throw new OutputException("export", "output: cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  private long elapsedMillis() {
    return (System.nanoTime() - started) / 1_000_000;
  }
}
