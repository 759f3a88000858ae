package io.compactor.core.host;

import io.compactor.api.LayerTask;
import io.compactor.api.RetrainSettings;
import io.compactor.api.Settings;
import io.compactor.api.StepContext;
import io.compactor.api.TrainingData;
import io.compactor.api.TrainingForm;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.runtime.Dataset;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A step context that lets a test hold a running step: {@link #awaitStarted} returns once the step reported
 * progress, and the step's call to {@link #layers()} blocks until {@link #release()}.
 */
final class GatedContext implements StepContext {
  private final CountDownLatch started = new CountDownLatch(1);
  private final CountDownLatch released = new CountDownLatch(1);
  private final Path work;

  GatedContext(Path work) {
    this.work = work;
  }

  void awaitStarted(Duration timeout) throws InterruptedException {
    if (!started.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("the step did not report progress within " + timeout.toMillis() + " ms");
    }
  }

  void release() {
    released.countDown();
  }

  @Override
  public List<LayerTask> layers() {
    try {
      if (!released.await(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the test never released the step");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    return List.of(new LayerTask("mm", "MatMul", Settings.EMPTY));
  }

  @Override
  public void progress(int done, int total, String layer) {
    started.countDown();
  }

  @Override
  public String jobId() {
    return "it-job";
  }

  @Override
  public OnnxModel model() {
    throw new UnsupportedOperationException("the slow test step needs no model");
  }

  @Override
  public OnnxModel original() {
    throw new UnsupportedOperationException("the slow test step needs no model");
  }

  @Override
  public TrainingForm form() {
    throw new UnsupportedOperationException("the slow test step needs no model");
  }

  @Override
  public OnnxModel teacher() {
    throw new UnsupportedOperationException("the slow test step needs no model");
  }

  @Override
  public Optional<RetrainSettings> retrainSettings() {
    return Optional.empty();
  }

  @Override
  public TrainingData training() {
    throw new UnsupportedOperationException("the slow test step needs no data");
  }

  @Override
  public void epoch(int epoch, int epochs, double loss, double heldOutFidelity) {}

  @Override
  public Dataset calibration() {
    throw new UnsupportedOperationException("the slow test step needs no data");
  }

  @Override
  public int batchSize() {
    return 1;
  }

  @Override
  public Path workDirectory() {
    return work;
  }

  @Override
  public void warn(String message) {}

  @Override
  public boolean cancelRequested() {
    return false;
  }
}
