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
import java.util.Comparator;
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
  /**
   * How far above the best first reading (as a ratio to the original) a candidate's first reading may be and still
   * contend for the answer: twice the ±10 % one reading moves by on a loaded machine.
   */
  static final double REACH = 0.2;
  /** Contenders timed in rounds at most: a round times each of them once. */
  static final int MAX_CONTENDERS = 8;

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
   * Times the contenders for the answer in rounds until their ratios to the original are resolved
   * ({@link LatencyRace}) and puts each contender's latency at its confirmed median. The contenders are the finished
   * candidates {@code which} accepts whose first reading is within {@link #REACH} of the best first reading, at most
   * {@link #MAX_CONTENDERS} of them, the fastest first readings first. One reading moves by several percent on a
   * shared machine (±10 % at a load average of 6-14), and the fastest of many single readings is mostly the luckiest
   * (the PP-OCR classifier: a pruning that removed 0.3 % of the weights read ×0.909, and ×0.998 over 200 rounds
   * outside the tune). Nothing happens without a meter.
   *
   * @return the race, empty without a meter or a contender
   */
  Optional<LatencyRace.Result> confirmLatencies(Predicate<Verified> which, TuneListener listener) {
    if (meter.isEmpty()) {
      return Optional.empty();
    }
    List<Verified> finished = verified.stream().filter(v -> v.outputs().isPresent() && which.test(v))
        .sorted(Comparator.comparingDouble(Verified::latencyMs)).toList();
    if (finished.isEmpty()) {
      return Optional.empty();
    }
    double best = finished.get(0).latencyMs() / baseline.latencyMs();
    List<LatencyRace.Contender> contenders = finished.stream()
        .filter(v -> v.latencyMs() / baseline.latencyMs() <= best + REACH).limit(MAX_CONTENDERS)
        .map(v -> new LatencyRace.Contender(v.index(), v.latencyMs() / baseline.latencyMs(),
            OnnxModel.load(v.outputs().get().resolve(OutputFiles.DEPLOY_MODEL)))).toList();
    LatencyRace.Result race = LatencyRace.run(contenders, original, meter.get(), cancellation, listener);
    for (LatencyRace.Entry e : race.entries()) {
      int i = e.index() - 1; // candidates are numbered from 1 in the order verified
      verified.set(i, verified.get(i).withConfirmedLatency(baseline.latencyMs(), e.estimate()));
    }
    listener.confirmed(verified.get(race.leader().index() - 1));
    return Optional.of(race);
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
