package io.compactor.api;

import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.runtime.Dataset;
import java.nio.file.Path;
import java.util.List;
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

  /** @return the operators this step compresses, in topological order, with their settings */
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
