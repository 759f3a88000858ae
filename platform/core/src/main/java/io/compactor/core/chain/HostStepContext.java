package io.compactor.core.chain;

import io.compactor.api.ExportContext;
import io.compactor.api.LayerTask;
import io.compactor.api.RetrainSettings;
import io.compactor.api.StepContext;
import io.compactor.api.TrainingData;
import io.compactor.api.TrainingForm;
import io.compactor.core.job.Cancellation;
import io.compactor.core.job.EventSink;
import io.compactor.core.job.EventType;
import io.compactor.core.job.JobEvent;
import io.compactor.core.metrics.StepMetrics;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.runtime.Dataset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's {@link StepContext}: it turns a bundle's progress into throttled {@code step.progress}
 * events (per layer, or per epoch while retraining) and its warnings into log lines and report entries, and
 * reads cancellation from the job. Also the {@link ExportContext} of the export after the last step.
 */
final class HostStepContext implements StepContext, ExportContext {
  private static final Logger LOG = LoggerFactory.getLogger(HostStepContext.class);
  private static final long PROGRESS_INTERVAL_NANOS = 250_000_000L;
  private final String jobId;
  private final String capability;
  private final OnnxModel model;
  private final OnnxModel original;
  private final List<LayerTask> layers;
  private final StepInput input;
  private final StepMetrics metrics;
  private final int batchSize;
  private final Path workDirectory;
  private final EventSink events;
  private final Cancellation cancellation;
  private final List<String> warnings = new ArrayList<>();
  private long lastProgress;

  HostStepContext(String jobId, String capability, StepInput input, List<LayerTask> layers, int batchSize,
      Path workDirectory, EventSink events, Cancellation cancellation, StepMetrics metrics) {
    this.jobId = Objects.requireNonNull(jobId, "jobId");
    this.capability = capability;
    this.input = Objects.requireNonNull(input, "input");
    this.model = input.form().model();
    this.original = model.copy(model.source() + " (before " + capability + ")");
    this.layers = List.copyOf(layers);
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.batchSize = batchSize;
    this.workDirectory = workDirectory;
    this.events = events;
    this.cancellation = cancellation;
  }

  @Override
  public String jobId() {
    return jobId;
  }

  @Override
  public OnnxModel model() {
    return model;
  }

  @Override
  public OnnxModel original() {
    return original;
  }

  @Override
  public List<LayerTask> layers() {
    return layers;
  }

  @Override
  public Dataset calibration() {
    return input.calibration();
  }

  @Override
  public TrainingForm form() {
    return input.form();
  }

  @Override
  public OnnxModel teacher() {
    return input.teacher();
  }

  @Override
  public Optional<RetrainSettings> retrainSettings() {
    return input.retrain();
  }

  @Override
  public TrainingData training() {
    return input.training();
  }

  @Override
  public synchronized void epoch(int epoch, int epochs, double loss, double heldOutFidelity) {
    LOG.info("job {}: {} epoch {}/{} loss {} held-out fidelity {}", jobId, capability, epoch, epochs, loss,
        heldOutFidelity);
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("capability", capability);
    data.put("done", epoch);
    data.put("total", epochs);
    data.put("percent", epochs == 0 ? 100.0 : Math.min(100.0, 100.0 * epoch / epochs));
    data.put("epoch", epoch);
    data.put("epochs", epochs);
    if (Double.isFinite(loss)) {
      data.put("loss", loss);
      metrics.loss(loss);
    }
    if (Double.isFinite(heldOutFidelity)) {
      data.put("heldOutFidelity", heldOutFidelity);
    }
    events.publish(JobEvent.of(EventType.STEP_PROGRESS, jobId, data));
  }

  @Override
  public int batchSize() {
    return batchSize;
  }

  @Override
  public Path workDirectory() {
    return workDirectory;
  }

  @Override
  public synchronized void progress(int done, int total, String layer) {
    long now = System.nanoTime();
    if (done < total && now - lastProgress < PROGRESS_INTERVAL_NANOS) {
      return;
    }
    lastProgress = now;
    LOG.debug("job {}: {} {}/{} {}", jobId, capability, done, total, layer);
    events.publish(JobEvent.of(EventType.STEP_PROGRESS, jobId, Map.of("capability", capability, "done", done,
        "total", total, "percent", total == 0 ? 100.0 : Math.min(100.0, 100.0 * done / total), "layer", layer)));
  }

  @Override
  public synchronized void warn(String message) {
    LOG.warn("job {}: {}: {}", jobId, capability, message);
    warnings.add(message);
  }

  /** @return the warnings the bundle reported */
  synchronized List<String> warnings() {
    return List.copyOf(warnings);
  }

  @Override
  public boolean cancelRequested() {
    return cancellation.requested();
  }
}
