package io.compactor.core.tune;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.compactor.api.Capabilities;
import io.compactor.core.config.ConfigWriter;
import io.compactor.core.config.proto.AmctRetrainConfigProto.AMCTRetrainConfig;
import io.compactor.core.job.Cancellation;
import io.compactor.core.job.JobExecutor;
import io.compactor.core.output.OutputFiles;
import io.compactor.core.plan.MethodCatalog;
import io.compactor.onnx.DataException;
import io.compactor.onnx.ModelException;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.runtime.Dataset;
import io.compactor.onnx.runtime.Evaluation;
import io.compactor.onnx.runtime.ModelSession;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Runs one tune: the operators the installed bundles can change, their sensitivity, the search under the budget
 * with every combination verified through the chain, then the files: {@code tuned.cfg}, {@code tuned.json}, the
 * chosen run's outputs, {@code tune-report.json}, {@code tune-report.md}, {@code sensitivity.svg},
 * {@code tradeoff.svg}. Thread-safe: each call has its own state.
 */
public final class Tuner {
  /** Written next to the chosen run's outputs. */
  public static final List<String> FILES = List.of("tuned.cfg", "tuned.json", "tune-report.json", "tune-report.md",
      "sensitivity.svg", "tradeoff.svg");
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final JobExecutor chain;
  private final MethodCatalog catalog;
  private final Path workRoot;
  private final int batchSize;
  private final Optional<LatencyMeter> meter;

  /**
   * @param chain runs each verified candidate (the chain {@code compress} runs)
   * @param catalog the installed providers, for the planner's eligibility checks
   * @param workRoot where each tune gets its temporary directory
   * @param batchSize samples per ONNX Runtime run
   */
  public Tuner(JobExecutor chain, MethodCatalog catalog, Path workRoot, int batchSize) {
    this(chain, catalog, workRoot, batchSize, Optional.empty());
  }

  /**
   * @param meter what {@code --objective latency} times with; empty: ONNX Runtime in turns on one eval batch
   *     ({@link LatencyMeter#inTurns}). Tests give one whose answers they know.
   */
  Tuner(JobExecutor chain, MethodCatalog catalog, Path workRoot, int batchSize, Optional<LatencyMeter> meter) {
    this.chain = Objects.requireNonNull(chain, "chain");
    this.catalog = Objects.requireNonNull(catalog, "catalog");
    this.workRoot = Objects.requireNonNull(workRoot, "workRoot");
    this.batchSize = batchSize;
    this.meter = Objects.requireNonNull(meter, "meter");
  }

  /**
   * @param request the tune
   * @param listener progress
   * @param cancellation checked between runs
   * @return how it ended; a budget nothing meets is a result ({@code met} false, the closest candidate), not an
   *     exception
   * @throws TuneInputException when the input cannot be tuned (no labels for {@code --max-drop}, nothing to
   *     compress, a capability without provider)
   * @throws TuneCancelledException when cancelled
   */
  public TuneResult tune(TuneRequest request, TuneListener listener, Cancellation cancellation) {
    long start = System.nanoTime();
    OnnxModel model = load(request.model());
    model.graph().normalizeConstants();
    Dataset eval = data("--eval", request.eval(), model);
    Dataset calibration = data("--calibration", request.calibration(), model);
    if (request.budget().kind() == Budget.Kind.MAX_DROP && eval.labels().isEmpty()) {
      throw new TuneInputException("--max-drop", "needs labels: " + request.eval() + " has no " + Dataset.LABELS
          + "; add the int64 class ids, or give the budget as --min-fidelity (mean cosine to the original)");
    }
    AMCTRetrainConfig base = request.baseConfig().map(ConfigWriter::message)
        .orElse(AMCTRetrainConfig.getDefaultInstance());
    SearchSpace space = request.space().orElseGet(() -> installedSpace(request.objective()));
    checkProviders(space);
    List<Operator> operators = Operators.discover(model, catalog, base, space);
    if (operators.isEmpty()) {
      throw new TuneInputException("--model", "no operator can take any allowed method (" + describe(space)
          + "); check with 'compactor plan' which operators are compressible and why not");
    }
    // latency objective: the baseline on the meter's threads, the scale every candidate's ratio is put on
    Verified baseline = baseline(request.model(), model, eval, request.objective() == Objective.LATENCY
        ? LatencyMeter.THREADS : Runtime.getRuntime().availableProcessors());
    long sensitivityStart = System.nanoTime();
    List<Sensitivity.Entry> table = Sensitivity.measure(model, operators, space, eval, batchSize, listener);
    double sensitivitySeconds = (System.nanoTime() - sensitivityStart) / 1e9;
    Optional<LatencyMeter> latency = request.objective() != Objective.LATENCY ? Optional.empty()
        : Optional.of(meter.orElseGet(() -> LatencyMeter.inTurns(eval.batch(0, Math.min(batchSize, eval.size())))));
    long latencyStart = System.nanoTime();
    List<LatencySignal.Timing> int8Timings = latency.isEmpty() || space.int8().isEmpty() ? List.of()
        : LatencySignal.int8(model, operators, latency.get(), baseline.latencyMs(), listener);
    double latencySeconds = (System.nanoTime() - latencyStart) / 1e9;
    Path work = workDirectory();
    try {
      TunedConfig configs = new TunedConfig(base, model.graph(), operators, batchNum(base, calibration, space),
          request.objective() == Objective.LATENCY);
      Verifier verifier = new Verifier(chain, request, configs, work, baseline, cancellation, latency, model);
      List<StaticActivations.Target> targets = space.int8().contains(Choice.Quant.STATIC)
          ? StaticActivations.of(model.graph(), operators, base.getCompactorFloatActivationsList()) : List.of();
      // measured only if static INT8 misses the budget: one model run per activation
      double[] fallbackSeconds = {0};
      Supplier<List<Sensitivity.Activation>> activations = () -> {
        long t0 = System.nanoTime();
        List<Sensitivity.Activation> a = Sensitivity.activations(model, targets, calibration, eval, batchSize,
            listener);
        fallbackSeconds[0] = (System.nanoTime() - t0) / 1e9;
        return a;
      };
      Search.Outcome outcome = new Search(operators, table, request.budget(), request.objective(), space, verifier,
          listener, activations, int8Timings).run();
      Verified result = outcome.chosen().or(outcome::closest).orElse(baseline);
      boolean met = outcome.chosen().isPresent();
      double margin = request.budget().margin(result.quality());
      TuneResult tuned = new TuneResult(met, result, margin, answer(request, met, result, margin), request.output(),
          (System.nanoTime() - start) / 1e9);
      TuneReport.Facts facts = new TuneReport.Facts(request, space, operators, table, baseline, verifier.verified(),
          outcome, tuned, sensitivitySeconds, fallbackSeconds[0], latencySeconds);
      write(request.output(), facts, verifier.config(result.candidate()), outcome.chosen());
      return tuned;
    } finally {
      delete(work);
    }
  }

  /**
   * @return the {@code batch_num} INT8 calibrates on: the base's, or the examples' 16 capped at the batches the
   *     calibration data holds (a small calibration set would fail every INT8 candidate otherwise)
   * @throws TuneInputException when the base asks for more batches than the data holds and INT8 is allowed
   */
  private int batchNum(AMCTRetrainConfig base, Dataset calibration, SearchSpace space) {
    int batches = calibration.batchRanges(batchSize).size();
    if (base.hasBatchNum() && base.getBatchNum() > batches && !space.int8().isEmpty()) {
      throw new TuneInputException("--config", "batch_num is " + base.getBatchNum() + " but the calibration data "
          + "holds only " + batches + " batch(es) of " + batchSize + " samples (" + calibration.size()
          + "); add calibration samples or lower batch_num");
    }
    return Math.max(1, Math.min(TunedConfig.DEFAULT_BATCH_NUM, batches));
  }

  private static String answer(TuneRequest r, boolean met, Verified v, double margin) {
    String quality = Verifier.describe(v);
    if (met) {
      String noise = v.quality().dropStandardError().map(se -> String.format(Locale.ROOT,
          "; drop's standard error %.2f over %d samples", se, v.quality().samples())).orElse("");
      // a latency answer says what its confirmed ratio shows, and says so when it shows no speed-up
      String objective = v.confirmedLatency().map(e -> (e.faster() ? "faster than the original, "
          : e.slower() ? "slower than the original, " : "not resolved faster than the original, ") + e.describe())
          .orElse(r.objective().id() + " objective");
      return String.format(Locale.ROOT, "%s meets %s with %s (margin %.4f%s): %s, %s", v.candidate().describe(),
          r.budget().describe(), quality, margin, noise, TuneReport.kb(v.deployBytes()), objective);
    }
    if (v.index() == 0) {
      return "no compressed candidate meets " + r.budget().describe() + " and none could be verified; nothing written "
          + "but the report";
    }
    return String.format(Locale.ROOT, "no compressed candidate meets %s; the closest is candidate %d (%s) with %s, "
        + "missing it by %.4f; loosen the budget or allow other methods", r.budget().describe(), v.index(),
        v.candidate().describe(), quality, -margin);
  }

  private void write(Path out, TuneReport.Facts f, AMCTRetrainConfig config, Optional<Verified> chosen) {
    try {
      Files.createDirectories(out);
      Verified v = f.result().result();
      String state = f.result().met() ? "meets the budget" : "CLOSEST CANDIDATE, DOES NOT MEET THE BUDGET";
      if (!v.candidate().empty()) {
        Files.writeString(out.resolve("tuned.cfg"), ConfigWriter.text(config, List.of(
            "written by compactor tune: " + v.candidate().describe() + " (" + state + ")",
            f.request().budget().describe() + ", objective " + f.request().objective().id(),
            "quality on the eval data: " + Verifier.describe(v))));
        JSON.writeValue(out.resolve("tuned.json").toFile(), ConfigWriter.json(config));
      }
      if (v.outputs().isPresent()) {
        for (String name : List.of(OutputFiles.DEPLOY_MODEL, OutputFiles.FAKEQUANT_MODEL, OutputFiles.REPORT)) {
          Files.copy(v.outputs().get().resolve(name), out.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        }
      }
      JSON.writeValue(out.resolve("tune-report.json").toFile(), TuneReport.json(f));
      Files.writeString(out.resolve("tune-report.md"), TuneReport.markdown(f));
      Files.writeString(out.resolve("sensitivity.svg"), Charts.sensitivity(f.sensitivity(),
          f.outcome().activations(), v.candidate().floatActivations()));
      Files.writeString(out.resolve("tradeoff.svg"), Charts.tradeoff(f.verified(), f.baseline(), f.request().budget(),
          f.request().objective(), chosen));
    } catch (IOException e) {
      throw new UncheckedIOException("--output: cannot write to " + out + ": " + e.getMessage(), e);
    }
  }

  /** The original model measured: its file, its latency; its quality is the reference. */
  private Verified baseline(Path file, OnnxModel model, Dataset eval, int threads) {
    double latency;
    try (ModelSession s = ModelSession.open(model, threads)) {
      latency = Evaluation.latency(s, eval.batch(0, Math.min(batchSize, eval.size())), 3, 10).medianMillis();
    }
    long bytes;
    try {
      bytes = Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Verified(0, Candidate.of(List.of(), Map.of()), Quality.LOSSLESS, bytes, latency, 0, Optional.empty(),
        Optional.empty());
  }

  private SearchSpace installedSpace(Objective objective) {
    Set<String> installed = new java.util.HashSet<>();
    for (String c : Capabilities.BUILT_IN) {
      if (catalog.provider(c).isPresent()) {
        installed.add(c);
      }
    }
    return SearchSpace.of(installed, SearchSpace.defaultRatios(objective),
        EnumSet.of(Choice.Quant.STATIC, Choice.Quant.DYNAMIC));
  }

  private void checkProviders(SearchSpace space) {
    List<String> missing = new ArrayList<>();
    if (space.twoOfFour() && catalog.provider(Capabilities.SPARSITY_2OF4).isEmpty()) {
      missing.add(Capabilities.SPARSITY_2OF4);
    }
    if (space.filter() && catalog.provider(Capabilities.SPARSITY_FILTER).isEmpty()) {
      missing.add(Capabilities.SPARSITY_FILTER);
    }
    if (!space.int8().isEmpty() && catalog.provider(Capabilities.QUANT_INT8).isEmpty()) {
      missing.add(Capabilities.QUANT_INT8);
    }
    if (!missing.isEmpty()) {
      throw new TuneInputException("--capabilities", "no installed provider of " + String.join(", ", missing)
          + "; install the bundles in the watched directory ('compactor bundles' lists them) or leave them out");
    }
  }

  private static String describe(SearchSpace s) {
    List<String> m = new ArrayList<>();
    if (s.twoOfFour()) {
      m.add("2:4");
    }
    if (s.filter()) {
      m.add("filter pruning");
    }
    s.int8().forEach(q -> m.add("int8 " + q.id()));
    return m.isEmpty() ? "none installed" : String.join(", ", m);
  }

  private static OnnxModel load(Path file) {
    try {
      return OnnxModel.load(file);
    } catch (ModelException e) {
      throw new TuneInputException("--model", e.getMessage());
    }
  }

  private static Dataset data(String option, Path dir, OnnxModel model) {
    try {
      return Dataset.fromDirectory(dir, model);
    } catch (DataException e) {
      throw new TuneInputException(option, e.getMessage());
    }
  }

  private Path workDirectory() {
    try {
      Files.createDirectories(workRoot);
      return Files.createTempDirectory(workRoot, "compactor-tune-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a work directory under " + workRoot + ": " + e.getMessage(), e);
    }
  }

  private static void delete(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // a leftover temporary directory is not worth failing a finished tune for
    }
  }
}
