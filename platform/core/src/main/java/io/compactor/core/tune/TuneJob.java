package io.compactor.core.tune;

import io.compactor.core.chain.ChainSettings;
import io.compactor.core.chain.JobProviders;
import io.compactor.core.config.InvalidConfigException;
import io.compactor.core.host.CapabilityRegistry;
import io.compactor.core.job.ArtifactRoots;
import io.compactor.core.job.Cancellation;
import io.compactor.core.job.CheckpointLocation;
import io.compactor.core.job.EventSink;
import io.compactor.core.job.EventType;
import io.compactor.core.job.JobEvent;
import io.compactor.core.job.JobExecutor;
import io.compactor.core.job.JobMessages;
import io.compactor.core.job.JobRequest;
import io.compactor.core.output.OutputFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tune request ({@code "kind": "tune"}) run as a job: the {@link Tuner} on the request's paths, its progress as
 * {@code tune.progress} events, its result as the {@code completed} event, whether or not a candidate meets the
 * budget ({@code tune.budgetMet}). The files go to the request's output, which the platform has made the attempt's
 * own directory, so they are promoted like a compression's. Every terminal event carries {@code "kind": "tune"}.
 * Thread-safe: each job has its own state.
 */
public final class TuneJob implements JobExecutor {
  private static final Logger LOG = LoggerFactory.getLogger(TuneJob.class);
  /** The files of a tune in the {@code completed} event's {@code outputs}, by field; those written are named. */
  private static final Map<String, String> OUTPUTS = outputs();

  private final CapabilityRegistry registry;
  private final JobExecutor chain;
  private final ChainSettings settings;

  /**
   * @param registry where each tune leases its providers
   * @param chain runs each candidate (the chain compression jobs run, without staging)
   * @param settings batch size, provider patience and temporary space
   */
  public TuneJob(CapabilityRegistry registry, JobExecutor chain, ChainSettings settings) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.chain = Objects.requireNonNull(chain, "chain");
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  /** A tune saves no steps: an attempt taken over starts again (its candidates are rerun). */
  @Override
  public JobEvent execute(JobRequest request, EventSink events, Cancellation cancellation,
      Optional<CheckpointLocation> checkpoints) {
    String id = request.jobId();
    if (request.tune().isEmpty()) {
      return failed(id, "request", "kind: a compression job, not a tune; it runs through the chain");
    }
    TuneRequest tune;
    try {
      tune = TuneRequest.of(request.tune().get(), path(request.model()), path(request.calibration().orElseThrow()),
          path(request.eval().orElseThrow()), request.config().map(TuneJob::path), request.training().map(TuneJob::path),
          path(request.output()));
    } catch (IllegalArgumentException e) {
      return failed(id, "request", field(e.getMessage()));
    }
    TuneProgress progress = new TuneProgress(id, tune.budget(), tune.objective(), events);
    try (JobProviders providers = new JobProviders(registry, settings.providerPatience())) {
      Tuner tuner = new Tuner(chain, providers, settings.workRoot(), settings.batchSize());
      TuneResult result = tuner.tune(tune, progress, cancellation);
      LOG.info("job {}: tune {}: {}", id, result.met() ? "met its budget" : "did not meet its budget", result.answer());
      return completed(id, tune, result, progress.verified());
    } catch (TuneInputException e) {
      return failed(id, e.option().equals("--model") ? "model" : "request", field(e.getMessage()));
    } catch (InvalidConfigException e) {
      Map<String, Object> data = new LinkedHashMap<>(Map.of("stage", "config", "reason", "config: " + e.getMessage()));
      if (!e.problems().isEmpty()) {
        data.put("configPath", e.problems().get(0).path());
      }
      return JobEvent.of(EventType.FAILED, id, data).withKind(JobRequest.Kind.TUNE);
    } catch (TuneCancelledException e) {
      return JobEvent.of(EventType.CANCELLED, id, Map.of("reason", "cancelled on request")).withKind(JobRequest.Kind.TUNE);
    } catch (UncheckedIOException e) {
      return failed(id, "io", e.getMessage());
    } catch (RuntimeException e) {
      LOG.error("job {}: tune: internal error", id, e);
      return failed(id, "internal", "internal error: " + e);
    }
  }

  private static JobEvent completed(String id, TuneRequest tune, TuneResult r, int verified) {
    Map<String, Object> outputs = new LinkedHashMap<>();
    OUTPUTS.forEach((field, file) -> {
      Path p = r.output().resolve(file);
      if (Files.isRegularFile(p)) {
        outputs.put(field, p.toString());
      }
    });
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("kind", JobRequest.Kind.TUNE.id());
    data.put("outputs", outputs);
    data.put("summary", summary(r.output().resolve(OutputFiles.REPORT)));
    data.put("tune", TuneProgress.result(tune, r, verified));
    return JobEvent.of(EventType.COMPLETED, id, data);
  }

  /** @return the chosen run's {@code report.json} summary, the same a compression job's event carries */
  private static Object summary(Path report) {
    if (!Files.isRegularFile(report)) {
      return Map.of();
    }
    try {
      return JobMessages.json().readValue(report.toFile(), Map.class).getOrDefault("summary", Map.of());
    } catch (IOException e) {
      throw new UncheckedIOException("output: " + report + " cannot be read: " + e.getMessage(), e);
    }
  }

  private static JobEvent failed(String id, String stage, String reason) {
    return JobEvent.of(EventType.FAILED, id, Map.of("stage", stage, "reason", reason)).withKind(JobRequest.Kind.TUNE);
  }

  /** The platform has confined the request: its paths are real local paths. */
  private static Path path(String p) {
    return ArtifactRoots.resolve(p);
  }

  /**
   * @param message a tuner message, which starts with the command-line option at fault ({@code --max-drop: ...})
   * @return the message starting with the request's field instead ({@code maxDrop: ...})
   */
  static String field(String message) {
    int colon = message.indexOf(':');
    if (!message.startsWith("--") || colon < 0) {
      return message;
    }
    String option = message.substring(2, colon);
    StringBuilder f = new StringBuilder();
    for (String part : option.split("-")) {
      f.append(f.length() == 0 ? part : Character.toUpperCase(part.charAt(0)) + part.substring(1));
    }
    String name = f.toString().equals("train") ? "training" : f.toString();
    return name + message.substring(colon);
  }

  private static Map<String, String> outputs() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("deployModel", OutputFiles.DEPLOY_MODEL);
    m.put("fakequantModel", OutputFiles.FAKEQUANT_MODEL);
    m.put("report", OutputFiles.REPORT);
    m.put("tunedConfig", "tuned.cfg");
    m.put("tunedJson", "tuned.json");
    m.put("tuneReport", "tune-report.json");
    m.put("tuneReportMarkdown", "tune-report.md");
    m.put("sensitivityChart", "sensitivity.svg");
    m.put("tradeoffChart", "tradeoff.svg");
    return Collections.unmodifiableMap(m);
  }
}
