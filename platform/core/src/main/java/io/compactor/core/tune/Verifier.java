package io.compactor.core.tune;

import io.compactor.core.config.ConfigWriter;
import io.compactor.core.config.proto.AmctRetrainConfigProto.AMCTRetrainConfig;
import io.compactor.core.job.Cancellation;
import io.compactor.core.job.EventType;
import io.compactor.core.job.JobEvent;
import io.compactor.core.job.JobExecutor;
import io.compactor.core.job.JobRequest;
import io.compactor.core.output.OutputFiles;
import io.compactor.onnx.graph.OnnxModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Runs candidates through the same chain {@code compress} runs, one job each, in a work directory, and keeps
 * every result. A candidate already verified is not run again.
 */
final class Verifier {
  private final JobExecutor chain;
  private final TuneRequest request;
  private final TunedConfig configs;
  private final Path work;
  private final Verified baseline;
  private final Cancellation cancellation;
  private final Optional<LatencyMeter> meter;
  private final OnnxModel original;
  private final List<Verified> verified = new ArrayList<>();
  /** Readings added to a candidate's first when the answer is chosen by latency: three in all, an odd count. */
  static final int CONFIRMING_READINGS = 2;

  /**
   * @param chain the job executor
   * @param request the tune: model and data
   * @param configs turns candidates into configurations
   * @param work where each candidate's configuration and outputs go
   * @param baseline the uncompressed model, measured
   * @param cancellation checked before each run
   * @param meter for {@code --objective latency}: times each deploy model against the original in turns (more runs
   *     than the chain's own evaluation); empty: the chain's timing
   * @param original the original model, what the meter compares with
   */
  Verifier(JobExecutor chain, TuneRequest request, TunedConfig configs, Path work, Verified baseline,
      Cancellation cancellation, Optional<LatencyMeter> meter, OnnxModel original) {
    this.chain = Objects.requireNonNull(chain, "chain");
    this.request = Objects.requireNonNull(request, "request");
    this.configs = Objects.requireNonNull(configs, "configs");
    this.work = Objects.requireNonNull(work, "work");
    this.baseline = Objects.requireNonNull(baseline, "baseline");
    this.cancellation = Objects.requireNonNull(cancellation, "cancellation");
    this.meter = Objects.requireNonNull(meter, "meter");
    this.original = Objects.requireNonNull(original, "original");
  }

  /** @return the candidate measured end to end; the baseline for an empty one */
  Verified verify(Candidate candidate, TuneListener listener) {
    if (candidate.empty()) {
      return baseline;
    }
    for (Verified v : verified) {
      if (v.candidate().sameAs(candidate)) {
        return v;
      }
    }
    if (cancellation.requested()) {
      throw new TuneCancelledException();
    }
    int index = verified.size() + 1;
    Path dir = work.resolve("candidate-" + index);
    Path cfg = work.resolve("candidate-" + index + ".cfg");
    AMCTRetrainConfig config = configs.build(candidate);
    try {
      Files.createDirectories(dir);
      Files.writeString(cfg, ConfigWriter.text(config, List.of("candidate " + index + ": " + candidate.describe())));
    } catch (IOException e) {
      throw new UncheckedIOException("tune: cannot write to the work directory " + work + ": " + e.getMessage(), e);
    }
    JobRequest job = new JobRequest("tune-candidate-" + index, request.model().toString(), cfg.toString(),
        Optional.of(request.calibration().toString()), Optional.of(request.eval().toString()), dir.toString(),
        request.training().map(Path::toString));
    long start = System.nanoTime();
    JobEvent end = chain.execute(job, e -> { }, cancellation);
    double seconds = (System.nanoTime() - start) / 1e9;
    Verified v;
    if (end.type() == EventType.COMPLETED) {
      Map<?, ?> s = (Map<?, ?>) end.data().get("summary");
      Optional<Double> drop = Optional.ofNullable(s.get("accuracyDelta")).map(d -> -((Number) d).doubleValue());
      int samples = s.get("evalSamples") instanceof Number n ? n.intValue() : 0;
      int changed = s.get("top1Agreement") instanceof Number a ? (int) Math.round((1 - a.doubleValue()) * samples) : 0;
      v = new Verified(index, candidate, Quality.measured(drop, number(s, "meanCosine"), samples, changed),
          (long) number(s, "deployBytes"), latency(s, dir), seconds, Optional.of(dir),
          Optional.empty());
    } else if (end.type() == EventType.CANCELLED) {
      throw new TuneCancelledException();
    } else {
      v = new Verified(index, candidate, baseline.quality(), baseline.deployBytes(), baseline.latencyMs(), seconds,
          Optional.empty(), Optional.of(String.valueOf(end.data().get("reason"))));
    }
    verified.add(v);
    listener.progress("verify", index, index, String.format(java.util.Locale.ROOT,
        "candidate %d (%s): %s, %d bytes, %.1f s", index, candidate.describe(), describe(v), v.deployBytes(), seconds));
    listener.verified(v);
    return v;
  }

  /** @return the candidate's batch latency on the baseline's scale, by the meter when there is one */
  private double latency(Map<?, ?> summary, Path outputs) {
    if (meter.isEmpty()) {
      return comparableLatency(summary);
    }
    OnnxModel deploy = OnnxModel.load(outputs.resolve(OutputFiles.DEPLOY_MODEL));
    return baseline.latencyMs() * meter.get().ratio(deploy, original);
  }

  /**
   * @return the candidate's batch latency on the baseline's scale: its run timed the deploy model and the
   *     original in turns, and their ratio times the baseline's latency is what stays comparable across
   *     candidates run minutes apart on a machine whose load changes (absolute times were not)
   */
  private double comparableLatency(Map<?, ?> summary) {
    double original = number(summary, "latencyOriginalMs");
    double compressed = number(summary, "latencyCompressedMs");
    return original > 0 ? baseline.latencyMs() * compressed / original : compressed;
  }

  /**
   * Times every finished candidate {@code which} accepts {@link #CONFIRMING_READINGS} more times against the
   * original and puts its latency at the median of all its readings. One reading moves by several percent on a
   * shared machine, and the fastest of many single readings is mostly the luckiest (the PP-OCR classifier: a
   * pruning that removed 0.3 % of the weights read ×0.909, and ×0.998 over 200 rounds outside the tune), so the
   * candidates the answer is chosen from are read three times. Nothing happens without a meter.
   *
   * @return how many candidates were timed again
   */
  int confirmLatencies(Predicate<Verified> which, TuneListener listener) {
    if (meter.isEmpty()) {
      return 0;
    }
    List<Integer> timed = new ArrayList<>();
    for (int i = 0; i < verified.size(); i++) {
      if (verified.get(i).outputs().isPresent() && which.test(verified.get(i))) {
        timed.add(i);
      }
    }
    int done = 0;
    for (int i : timed) {
      Verified v = verified.get(i);
      if (cancellation.requested()) {
        throw new TuneCancelledException();
      }
      OnnxModel deploy = OnnxModel.load(v.outputs().get().resolve(OutputFiles.DEPLOY_MODEL));
      double[] ratios = new double[CONFIRMING_READINGS + 1];
      ratios[0] = v.latencyMs() / baseline.latencyMs();
      for (int r = 1; r < ratios.length; r++) {
        ratios[r] = meter.get().ratio(deploy, original);
      }
      Arrays.sort(ratios);
      double latency = baseline.latencyMs() * ratios[ratios.length / 2];
      verified.set(i, new Verified(v.index(), v.candidate(), v.quality(), v.deployBytes(), latency, v.seconds(),
          v.outputs(), v.failure()));
      done++;
      listener.progress("confirm", done, timed.size(), String.format(java.util.Locale.ROOT,
          "candidate %d timed %d more times: ×%.3f (median; first reading ×%.3f)", v.index(), CONFIRMING_READINGS,
          latency / baseline.latencyMs(), v.latencyMs() / baseline.latencyMs()));
    }
    return done;
  }

  /** @return every candidate run, in order */
  List<Verified> verified() {
    return List.copyOf(verified);
  }

  /** @return the configuration of a candidate, as written */
  AMCTRetrainConfig config(Candidate c) {
    return configs.build(c);
  }

  static String describe(Verified v) {
    if (v.failure().isPresent()) {
      return "failed: " + v.failure().get();
    }
    String cos = String.format(java.util.Locale.ROOT, "cosine %.4f", v.quality().meanCosine());
    return v.quality().dropPoints().map(d -> String.format(java.util.Locale.ROOT, "drop %.2f points, ", d) + cos)
        .orElse(cos);
  }

  private static double number(Map<?, ?> m, String key) {
    Object v = m.get(key);
    if (!(v instanceof Number n)) {
      throw new IllegalStateException("the chain's completed event has no " + key + ": " + m);
    }
    return n.doubleValue();
  }
}
