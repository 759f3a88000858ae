package io.compactor.api.testing;

import io.compactor.api.ExportContext;
import io.compactor.api.LayerTask;
import io.compactor.api.RetrainSettings;
import io.compactor.api.StepContext;
import io.compactor.api.TrainingData;
import io.compactor.api.TrainingForm;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.runtime.Dataset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A real, in-process {@link StepContext} for bundle tests: it records progress and warnings and can be
 * cancelled after a given number of finished layers. The training form starts as the plain model (no masks,
 * no quantization) unless {@link #withForm} gives one; the teacher is the step input; the training data is
 * the calibration data unless {@link #withTraining} gives other data. It also serves as the
 * {@link ExportContext} of {@link io.compactor.api.CompressionMethod#export}.
 */
public final class SimpleStepContext implements StepContext, ExportContext {
  private final OnnxModel model;
  private final OnnxModel original;
  private final List<LayerTask> layers;
  private final Dataset calibration;
  private final Path workDirectory;
  private final int batchSize;
  private final List<String> progress = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();
  private final List<String> epochs = new ArrayList<>();
  private TrainingForm form;
  private OnnxModel teacher;
  private TrainingData training;
  private RetrainSettings retrainSettings;
  private final AtomicBoolean cancelled = new AtomicBoolean();
  private int cancelAfterLayers = Integer.MAX_VALUE;

  /**
   * @param model the model to rewrite in place; {@link #original()} is a copy taken now
   * @param layers the operators to compress
   * @param calibration calibration samples
   * @param workDirectory a temporary directory
   * @param batchSize samples per ONNX Runtime run
   */
  public SimpleStepContext(OnnxModel model, List<LayerTask> layers, Dataset calibration, Path workDirectory,
      int batchSize) {
    this.model = Objects.requireNonNull(model, "model");
    this.original = model.copy(model.source() + " (step input)");
    this.layers = List.copyOf(layers);
    this.calibration = Objects.requireNonNull(calibration, "calibration");
    this.workDirectory = Objects.requireNonNull(workDirectory, "workDirectory");
    this.batchSize = batchSize;
    this.form = TrainingForm.of(model);
    this.teacher = original;
    this.training = TrainingData.of(calibration);
  }

  /**
   * @param form the training form earlier steps left; its model must be this context's model
   * @return this context
   */
  public SimpleStepContext withForm(TrainingForm form) {
    if (form.model() != model) {
      throw new IllegalArgumentException("the form's model must be the context's model");
    }
    this.form = form;
    return this;
  }

  /** @return this context with a different FP32 teacher */
  public SimpleStepContext withTeacher(OnnxModel teacher) {
    this.teacher = Objects.requireNonNull(teacher, "teacher");
    return this;
  }

  /** @return this context with training data other than the calibration data */
  public SimpleStepContext withTraining(TrainingData training) {
    this.training = Objects.requireNonNull(training, "training");
    return this;
  }

  /** @return this context as a retraining step's, with these settings */
  public SimpleStepContext withRetrainSettings(RetrainSettings settings) {
    this.retrainSettings = Objects.requireNonNull(settings, "settings");
    return this;
  }

  /** @return epoch reports as {@code "epoch/epochs loss heldOutFidelity"} */
  public synchronized List<String> epochReports() {
    return List.copyOf(epochs);
  }

  /** Makes {@link #cancelRequested()} true once {@code n} layers reported progress. */
  public SimpleStepContext cancelAfter(int n) {
    this.cancelAfterLayers = n;
    return this;
  }

  /** Cancels now. */
  public void cancel() {
    cancelled.set(true);
  }

  /** @return progress reports as {@code "done/total layer"} */
  public List<String> progressReports() {
    return List.copyOf(progress);
  }

  /** @return warnings reported so far */
  public List<String> warnings() {
    return List.copyOf(warnings);
  }

  @Override
  public String jobId() {
    return "test-job";
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
  public TrainingForm form() {
    return form;
  }

  @Override
  public OnnxModel teacher() {
    return teacher;
  }

  @Override
  public Optional<RetrainSettings> retrainSettings() {
    return Optional.ofNullable(retrainSettings);
  }

  @Override
  public TrainingData training() {
    return training;
  }

  @Override
  public synchronized void epoch(int epoch, int total, double loss, double heldOutFidelity) {
    epochs.add(epoch + "/" + total + " " + loss + " " + heldOutFidelity);
  }

  @Override
  public List<LayerTask> layers() {
    return layers;
  }

  @Override
  public Dataset calibration() {
    return calibration;
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
    progress.add(done + "/" + total + " " + layer);
    if (done >= cancelAfterLayers) {
      cancelled.set(true);
    }
  }

  @Override
  public synchronized void warn(String message) {
    warnings.add(message);
  }

  @Override
  public boolean cancelRequested() {
    return cancelled.get();
  }
}
