package io.compactor.core.chain;

import io.compactor.api.TrainingData;
import io.compactor.onnx.runtime.SampleFiles;
import io.compactor.onnx.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link TrainingData} read by index from the {@code .npy} files of a training directory, never loaded whole:
 * a training set larger than the heap works. The files were checked when they were opened.
 */
final class FileTrainingData implements TrainingData {
  private final SampleFiles files;

  FileTrainingData(SampleFiles files) {
    this.files = Objects.requireNonNull(files, "files");
  }

  @Override
  public String source() {
    return files.dir().toString();
  }

  @Override
  public int size() {
    return files.size();
  }

  @Override
  public List<String> inputNames() {
    return files.inputNames();
  }

  @Override
  public boolean hasLabels() {
    return files.hasLabels();
  }

  @Override
  public Map<String, Tensor> inputs(int[] indices) {
    return files.inputs(indices);
  }

  @Override
  public Optional<Tensor> labels(int[] indices) {
    return files.labels(indices);
  }

  @Override
  public String toString() {
    return files.toString();
  }
}
