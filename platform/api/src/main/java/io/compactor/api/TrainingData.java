package io.compactor.api;

import io.compactor.onnx.runtime.Dataset;
import io.compactor.onnx.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The training samples of one job ({@code --train DIR}, or the calibration directory): one
 * {@code <graph-input-name>.npy} per model input, first axis = samples, optionally {@code labels.npy}.
 * Read by sample index so a trainer can shuffle and stream batches; the host has checked the files (shapes,
 * NaN, labels) before the step starts. Implemented by the host; thread-safe.
 *
 * @since 1.3.0
 */
@ProviderType
public interface TrainingData {
  /** @return where the data comes from, for messages (the directory) */
  String source();

  /** @return the number of samples */
  int size();

  /** @return the graph inputs the samples feed, in the model's order */
  List<String> inputNames();

  /** @return whether {@code labels.npy} gives a class id per sample */
  boolean hasLabels();

  /**
   * @param indices sample indices, each from 0 to {@link #size()} - 1, in the order wanted
   * @return one tensor per graph input, first axis = {@code indices.length}
   */
  Map<String, Tensor> inputs(int[] indices);

  /**
   * @param indices sample indices
   * @return the class ids of those samples (INT64, shape {@code [indices.length]}); empty without labels
   */
  Optional<Tensor> labels(int[] indices);

  /**
   * @param data loaded samples
   * @return the samples as training data, read by index from memory
   */
  static TrainingData of(Dataset data) {
    return new DatasetTrainingData(data);
  }
}
