package io.compactor.core.chain;

import io.compactor.api.Capabilities;
import io.compactor.api.CompressionMethod;
import io.compactor.api.ExportContext;
import io.compactor.api.LayerTask;
import io.compactor.api.Settings;
import io.compactor.api.StepCancelledException;
import io.compactor.api.StepException;
import io.compactor.api.StepResult;
import io.compactor.api.TrainingForm;
import io.compactor.core.config.ConfigFile;
import io.compactor.core.config.InvalidConfigException;
import io.compactor.core.host.CapabilityRegistry;
import io.compactor.core.host.ProviderLease;
import io.compactor.core.job.ArtifactRoots;
import io.compactor.core.job.Cancellation;
import io.compactor.core.job.CheckpointLocation;
import io.compactor.core.job.EventSink;
import io.compactor.core.job.EventType;
import io.compactor.core.job.JobEvent;
import io.compactor.core.job.JobExecutor;
import io.compactor.core.job.JobRequest;
import io.compactor.core.metrics.StepMetrics;
import io.compactor.core.output.Evaluator;
import io.compactor.core.output.JobReport;
import io.compactor.core.output.OutputException;
import io.compactor.core.output.OutputFiles;
import io.compactor.core.plan.Plan;
import io.compactor.core.plan.PlanConflictException;
import io.compactor.core.plan.PlanJson;
import io.compactor.core.plan.Planner;
import io.compactor.core.plan.Provider;
import io.compactor.core.plan.RetrainPlan;
import io.compactor.onnx.ModelException;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.runtime.Dataset;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chain one job runs: load the model, read the configuration, plan against the providers the registry
 * chose, run the sparsity step then the quantization step on those providers (each handing on the training
 * form), retrain the whole model when the configuration has a {@code compactor_retrain} block, export the
 * deploy model through the quantization provider, then hand the result to {@code io.compactor.core.output}
 * (files, evaluation, {@code report.json}). Every failure becomes a
 * {@code failed} event. Run with a {@link CheckpointLocation} (the Kafka coordinator's attempts), each finished
 * step is saved there and a later attempt resumes after it ({@link StepCheckpoints}). Used by {@code compress}
 * in-process and by the Kafka coordinator. Thread-safe: each job has its own state.
 */
public final class ChainExecutor implements JobExecutor {
  private static final Logger LOG = LoggerFactory.getLogger(ChainExecutor.class);
  private final CapabilityRegistry registry;
  private final ChainSettings settings;
  private final StepMetrics stepMetrics;

  /**
   * @param registry where each step's provider is leased
   * @param settings batch size, patience and temporary space
   * @param stepMetrics where step durations go
   */
  public ChainExecutor(CapabilityRegistry registry, ChainSettings settings, StepMetrics stepMetrics) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.stepMetrics = Objects.requireNonNull(stepMetrics, "stepMetrics");
  }

  @Override
  public JobEvent execute(JobRequest request, EventSink events, Cancellation cancellation,
      Optional<CheckpointLocation> checkpoints) {
    String id = request.jobId();
    Run run = null;
    try (JobProviders providers = new JobProviders(registry, settings.providerPatience())) {
      run = new Run(request, events, cancellation, providers, checkpoints);
      return run.call();
    } catch (JobFailure f) {
      LOG.info("job {} failed: {}", id, f.getMessage());
      return f.event(id);
    } catch (StepCancelledException e) {
      Map<String, Object> data = new LinkedHashMap<>();
      data.put("reason", "cancelled on request");
      if (run != null && run.capability != null) {
        data.put("capability", run.capability);
      }
      return JobEvent.of(EventType.CANCELLED, id, data);
    } catch (RuntimeException | LinkageError e) {
      LOG.error("job {}: internal error", id, e);
      return new JobFailure("internal", "internal error: " + e).event(id);
    }
  }

  /** One job's state, from request to terminal event. */
  private final class Run {
    private final JobRequest request;
    private final String id;
    private final EventSink events;
    private final Cancellation cancellation;
    private final JobProviders providers;
    private final JobReport report;
    private final Optional<CheckpointLocation> checkpoints;
    /** The capability whose step runs now, for the cancelled event. */
    private volatile String capability;

    Run(JobRequest request, EventSink events, Cancellation cancellation, JobProviders providers,
        Optional<CheckpointLocation> checkpoints) {
      this.request = request;
      this.checkpoints = checkpoints;
      this.id = request.jobId();
      this.events = events;
      this.cancellation = cancellation;
      this.providers = providers;
      this.report = new JobReport(request);
    }

    JobEvent call() {
      Path modelPath = ArtifactRoots.resolve(request.model());
      OnnxModel model = report.time("load", () -> load(modelPath));
      Plan plan = report.time("plan", () -> plan(model));
      report.plan(plan);
      Optional<RetrainPlan> retrain = retraining(plan);
      try (JobData data = JobData.open(request, model, retrain.isPresent())) {
        return run(modelPath, model, plan, retrain, data);
      }
    }

    private JobEvent run(Path modelPath, OnnxModel model, Plan plan, Optional<RetrainPlan> retrain, JobData data) {
      Dataset calibration = data.calibration();
      if (calibration == null && plan.compressedCount() > 0) {
        throw new JobFailure("request", "calibration: required when the plan compresses operators; give a "
            + "directory with one <graph-input-name>.npy per model input (first axis = samples)");
      }
      if (retrain.isEmpty() && request.training().isPresent()) {
        report.warning("training: given, but the job does not retrain (no compactor_retrain block, or retraining "
            + "skipped); the training data was not used");
      }
      Optional<Dataset> eval = data.eval();
      events.publish(JobEvent.of(EventType.PLANNED, id, PlanJson.summary(plan)));

      OnnxModel original = model.copy(model.source() + " (original)");
      StepInput input = new StepInput(TrainingForm.of(model), original, calibration, data.training(),
          Optional.empty());
      List<String> capabilities = plan.providers().keySet().stream().filter(c -> !plan.tasks(c).isEmpty()).toList();
      int steps = capabilities.size() + (retrain.isPresent() ? 1 : 0);
      StepCheckpoints savedSteps = new StepCheckpoints(request, checkpoints, settings.workRoot());
      for (int i = 0; i < capabilities.size(); i++) {
        if (cancellation.requested()) {
          throw new StepCancelledException(id);
        }
        String c = capabilities.get(i);
        ProviderLease lease = providers.lease(c).orElseThrow();
        String provider = lease.provider() + " " + lease.version();
        Optional<StepCheckpoints.Saved> saved = savedSteps.load(i + 1, c, provider);
        if (saved.isPresent()) {
          input = input.with(resumed(c, lease, saved.get()));
          continue;
        }
        long start = System.nanoTime();
        StepResult result = step(i + 1, steps, c, plan.tasks(c), input);
        input = input.with(result.form().orElse(input.form()));
        savedSteps.save(i + 1, c, provider, result, input.form(), Duration.ofNanos(System.nanoTime() - start));
      }
      if (retrain.isPresent()) {
        if (cancellation.requested()) {
          throw new StepCancelledException(id);
        }
        input = retrain(steps, retrain.get(), new StepInput(input.form(), original, calibration, input.training(),
            Optional.of(retrain.get().stepSettings())));
      }
      TrainingForm form = input.form();
      OnnxModel deployModel = report.time("export", () -> export(capabilities, form));

      OutputFiles files = new OutputFiles(ArtifactRoots.resolve(request.output()));
      try {
        report.time("write", () -> {
          files.writeModels(form.model(), deployModel);
          return null;
        });
        report.sizes(modelPath, files);
        Dataset evalData = eval.orElse(calibration);
        if (evalData != null) {
          report.quality(report.time("evaluate", () -> evaluate(original, deployModel, evalData)), eval.isPresent());
        }
        report.write(files.report());
      } catch (OutputException e) {
        throw new JobFailure(e.stage(), e.getMessage(), e);
      }
      return JobEvent.of(EventType.COMPLETED, id, Map.of("outputs", files.eventFields(), "summary", report.summary()));
    }

    /** A step a previous attempt of the job finished: its saved form and statistics, announced as resumed. */
    private TrainingForm resumed(String capability, ProviderLease lease, StepCheckpoints.Saved saved) {
      StepResult result = saved.result();
      Map<String, Object> providerMap = Map.of("bundle", lease.provider(), "version", lease.version());
      Map<String, Object> stats = new LinkedHashMap<>(result.summary());
      stats.put("layers", result.layers().size());
      LOG.info("job {}: {} resumed from the result a previous attempt saved", id, capability);
      events.publish(JobEvent.of(EventType.STEP_COMPLETED, id, Map.of("capability", capability, "provider",
          providerMap, "durationMs", saved.took().toMillis(), "stats", stats, "resumed", true)));
      report.step(capability, lease.method().stage().id(), providerMap, saved.took(), result, List.of());
      return result.form().orElseThrow();
    }

    /**
     * @return the retraining to run: empty without a {@code compactor_retrain} block or when it is skipped
     * @throws JobFailure when no provider is installed, or an operator cannot be trained and
     *     {@code on_unsupported} is FAIL
     */
    private Optional<RetrainPlan> retraining(Plan plan) {
      Optional<RetrainPlan> r = plan.retraining();
      if (r.isEmpty()) {
        return r;
      }
      String capability = Capabilities.RETRAIN_DISTILL;
      if (r.get().provider().isEmpty()) {
        String why = providers.whyMissing(capability).orElse("capability " + capability + ": no provider");
        throw new JobFailure("plan", why + "; the configuration's compactor_retrain block asks for it: install a "
            + "bundle providing it in the watched bundles directory (GET /bundles lists what is installed), or remove "
            + "the block").at("capability", capability);
      }
      if (r.get().blocked()) {
        throw new JobFailure("plan", capability + ": cannot train " + r.get().describeUnsupported()
            + "; set on_unsupported: SKIP in compactor_retrain to run without retraining")
            .at("capability", capability).at("layer", r.get().unsupported().get(0).node());
      }
      if (r.get().skipped()) {
        report.retrainingSkipped("the retraining provider cannot train " + r.get().describeUnsupported()
            + " (on_unsupported: SKIP)");
        return Optional.empty();
      }
      return r;
    }

    /** Runs the retraining step on the compressed form and records what it achieved. */
    private StepInput retrain(int steps, RetrainPlan plan, StepInput input) {
      if (input.training() == null) {
        throw new JobFailure("request", "training: retraining (compactor_retrain) needs training data; give --train "
            + "DIR (request field training) or calibration data");
      }
      List<LayerTask> tasks = new ArrayList<>();
      for (String node : input.form().compressed()) {
        input.form().model().graph().node(node).ifPresent(n -> tasks.add(new LayerTask(node, n.opType(),
            Settings.EMPTY)));
      }
      String capability = Capabilities.RETRAIN_DISTILL;
      StepResult result = step(steps, steps, capability, tasks, input);
      Provider p = plan.provider().orElseThrow();
      result.retraining().ifPresent(o -> {
        report.retraining(o, Map.of("bundle", p.bundle(), "version", p.version()));
        stepMetrics.retrained(Duration.ofNanos((long) (o.seconds() * 1e9)),
            Duration.ofNanos((long) (o.lockWaitSeconds() * 1e9)));
        if (o.lockWaitSeconds() >= 1) {
          LOG.info("job {}: retraining waited {} s for another job's training (one gradient collector per JVM)", id,
              String.format(java.util.Locale.ROOT, "%.1f", o.lockWaitSeconds()));
        }
      });
      return input.with(result.form().orElse(input.form()));
    }

    /** The deploy model: exported by the providers that ran (the quantization one), else the form's model. */
    private OnnxModel export(List<String> capabilities, TrainingForm form) {
      OnnxModel deploy = form.model();
      for (String c : capabilities) {
        this.capability = c;
        ProviderLease lease = providers.lease(c).orElseThrow();
        Path work = workDirectory(c + "-export");
        try {
          Optional<OnnxModel> exported = lease.method().export(form, new Export(work));
          if (exported.isPresent()) {
            deploy = exported.get();
          }
        } catch (StepException e) {
          throw new JobFailure("export", e.getMessage(), e).at("capability", c).at("layer", e.layer().orElse(null));
        } catch (RuntimeException | LinkageError e) {
          LOG.warn("job {}: export of {} threw", id, c, e);
          throw new JobFailure("export", c + ": bundle " + lease.provider() + " " + lease.version()
              + " failed to export the deploy model: " + e, e).at("capability", c);
        } finally {
          deleteQuietly(work);
        }
      }
      return deploy;
    }

    /** The export's view of the job: its id, a private directory, warnings into the report. */
    private final class Export implements ExportContext {
      private final Path work;

      Export(Path work) {
        this.work = work;
      }

      @Override
      public String jobId() {
        return id;
      }

      @Override
      public Path workDirectory() {
        return work;
      }

      @Override
      public void warn(String message) {
        LOG.warn("job {}: export: {}", id, message);
        report.warning(capability + " export: " + message);
      }
    }

    private OnnxModel load(Path path) {
      try {
        return OnnxModel.load(path);
      } catch (ModelException e) {
        throw new JobFailure("model", "model: " + e.getMessage(), e);
      }
    }

    private Plan plan(OnnxModel model) {
      Plan plan;
      try {
        String config = request.config().orElseThrow(() -> new JobFailure("request", "config: required to compress"));
        plan = new Planner(providers).plan(model, ConfigFile.read(ArtifactRoots.resolve(config)));
      } catch (InvalidConfigException e) {
        String path = e.problems().isEmpty() ? null : e.problems().get(0).path();
        throw new JobFailure("config", e.getMessage(), e).at("configPath", path);
      } catch (PlanConflictException e) {
        throw new JobFailure("plan", e.getMessage(), e).at("capability", e.capability());
      } catch (UncheckedIOException e) {
        throw new JobFailure("config", "config: " + e.getCause().getMessage(), e);
      }
      for (Map.Entry<String, Optional<Provider>> p : plan.providers().entrySet()) {
        if (p.getValue().isEmpty()) {
          String why = providers.whyMissing(p.getKey()).orElse("capability " + p.getKey() + ": no provider");
          throw new JobFailure("plan", why + "; the configuration asks for it on "
              + plan.requested(p.getKey()) + " operators: install a bundle providing it in the watched "
              + "bundles directory (GET /bundles lists what is installed)").at("capability", p.getKey());
        }
      }
      return plan;
    }

    private StepResult step(int index, int steps, String capability, List<LayerTask> tasks, StepInput input) {
      this.capability = capability;
      ProviderLease lease = providers.lease(capability).orElseThrow();
      CompressionMethod method = lease.method();
      String provider = lease.provider() + " " + lease.version();
      Map<String, Object> providerMap = Map.of("bundle", lease.provider(), "version", lease.version());
      events.publish(JobEvent.of(EventType.STEP_STARTED, id, Map.of("capability", capability, "stage",
          method.stage().id(), "index", index, "steps", steps, "layers", tasks.size(), "provider", providerMap)));
      Path work = workDirectory(capability);
      HostStepContext context = new HostStepContext(id, capability, input, tasks, settings.batchSize(), work, events,
          cancellation, stepMetrics);
      long start = System.nanoTime();
      String outcome = "failed";
      try {
        StepResult result = method.apply(context);
        outcome = "completed";
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        Map<String, Object> stats = new LinkedHashMap<>(result.summary());
        stats.put("layers", result.layers().size());
        stats.put("warnings", context.warnings().size());
        events.publish(JobEvent.of(EventType.STEP_COMPLETED, id, Map.of("capability", capability,
            "provider", providerMap, "durationMs", took.toMillis(), "stats", stats)));
        report.step(capability, method.stage().id(), providerMap, took, result, context.warnings());
        return result;
      } catch (StepCancelledException e) {
        outcome = "cancelled";
        throw e;
      } catch (StepException e) {
        throw new JobFailure("step", e.getMessage(), e).at("capability", capability).at("layer", e.layer().orElse(null));
      } catch (RuntimeException | LinkageError e) {
        LOG.warn("job {}: {} from {} threw", id, capability, provider, e);
        throw new JobFailure("step", capability + ": bundle " + provider + " failed: " + e, e).at("capability", capability);
      } finally {
        stepMetrics.record(capability, provider, outcome, Duration.ofNanos(System.nanoTime() - start));
        deleteQuietly(work);
      }
    }

    private Path workDirectory(String capability) {
      try {
        Files.createDirectories(settings.workRoot());
        return Files.createTempDirectory(settings.workRoot(), "compactor-" + id + "-" + capability + "-");
      } catch (IOException e) {
        throw new JobFailure("io", "cannot create a work directory under " + settings.workRoot() + ": " + e, e);
      }
    }

    private Evaluator.Quality evaluate(OnnxModel original, OnnxModel deploy, Dataset data) {
      try {
        return Evaluator.evaluate(original, deploy, data, settings.batchSize());
      } catch (Evaluator.EvaluationException e) {
        throw new JobFailure("evaluate", e.getMessage(), e);
      } catch (RuntimeException e) {
        throw new JobFailure("evaluate", "the deploy model does not run in ONNX Runtime: " + e.getMessage(), e);
      }
    }
  }

  private static void deleteQuietly(Path dir) {
    try (var walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      LOG.debug("could not delete {}: {}", dir, e.toString());
    }
  }
}
