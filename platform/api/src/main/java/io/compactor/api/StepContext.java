package io.compactor.api;

import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.runtime.Dataset;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Everything one step of one job gets from the host. Implemented only by the host; valid only during
 * {@link CompressionMethod#apply}. A method keeps no per-job state anywhere else.
 */
@ProviderType
public interface StepContext {
  /** @return the job this step belongs to, for messages */
  String jobId();

  /**
   * @return the model to rewrite in place: the job's model as the earlier steps left it, with weights
   *     in initializers (Constant nodes already normalized)
   */
  OnnxModel model();

  /**
   * @return the model as it was when this step began; the target each layer's output is retrained
   *     towards. Do not modify it.
   */
  OnnxModel original();

  /**
   * @return the training form as the earlier steps left it; its {@link TrainingForm#model()} is
   *     {@link #model()}
   * @since 1.3.0
   */
  TrainingForm form();

  /**
   * @return the job's model before any step: the FP32 teacher retraining distills from. Do not modify it.
   * @since 1.3.0
   */
  OnnxModel teacher();

  /**
   * @return the retraining settings; present only in the {@link Stage#RETRAINING} step
   * @since 1.3.0
   */
  Optional<RetrainSettings> retrainSettings();

  /**
   * @return the training samples ({@code --train}, defaulting to the calibration data)
   * @since 1.3.0
   */
  TrainingData training();

  /**
   * @return the operators this step works on, in topological order, with their settings; for retraining,
   *     the compressed layers ({@link TrainingForm#compressed()}) with empty settings
   */
  List<LayerTask> layers();

  /** @return calibration samples (one tensor per graph input, first axis = samples) */
  Dataset calibration();

  /** @return samples per ONNX Runtime run when capturing layer inputs */
  int batchSize();

  /** @return a directory private to this step for temporary files; the host deletes it afterwards */
  Path workDirectory();

  /**
   * Reports progress; the host turns it into {@code step.progress} events (throttled).
   *
   * @param done layers finished
   * @param total layers in this step
   * @param layer the layer just finished or now running
   */
  void progress(int done, int total, String layer);

  /**
   * Reports retraining progress after an epoch; the host turns it into {@code step.progress} events with
   * {@code epoch}, {@code epochs}, {@code loss} and {@code heldOutFidelity}, and into metrics.
   *
   * @param epoch epochs finished, from 1
   * @param epochs epochs planned
   * @param loss mean training loss of the epoch
   * @param heldOutFidelity fidelity to the teacher on the held-out slice after the epoch (NaN when nothing is
   *     held out)
   * @since 1.3.0
   */
  void epoch(int epoch, int epochs, double loss, double heldOutFidelity);

  /** Records a warning for the report and the log, e.g. a layer left dense and why. */
  void warn(String message);

  /** @return whether the job has been cancelled; check between layers */
  boolean cancelRequested();

  /** @throws StepCancelledException when the job has been cancelled; call between layers */
  default void throwIfCancelled() {
    if (cancelRequested()) {
      throw new StepCancelledException(jobId());
    }
  }
}
