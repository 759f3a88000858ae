package io.compactor.onnx.runtime;

import io.compactor.onnx.DataException;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Samples for a model: one tensor per graph input, first axis = samples, read from a directory holding
 * {@code <graph-input-name>.npy} per input and optionally {@code labels.npy} (class ids). Immutable.
 */
public final class Dataset {
  /** File name of the optional class labels. */
  public static final String LABELS = "labels.npy";
  private final String source;
  private final Map<String, Tensor> inputs;
  private final Tensor labels;
  private final int size;

  /**
   * @param source how to name the data in messages
   * @param inputs one tensor per graph input, all with the same first dimension
   * @param labels class ids, one per sample, or {@code null}
   */
  public Dataset(String source, Map<String, Tensor> inputs, Tensor labels) {
    this.source = Objects.requireNonNull(source, "source");
    if (inputs.isEmpty()) {
      throw new DataException(source, "no inputs");
    }
    this.inputs = Map.copyOf(new LinkedHashMap<>(inputs));
    this.labels = labels;
    long n = -1;
    for (Map.Entry<String, Tensor> e : inputs.entrySet()) {
      if (e.getValue().rank() == 0) {
        throw new DataException(source, "input '" + e.getKey() + "' is a scalar; the first axis must count samples");
      }
      if (n >= 0 && e.getValue().dim(0) != n) {
        throw new DataException(source, "inputs disagree on the number of samples: '" + e.getKey() + "' has "
            + e.getValue().dim(0) + ", others " + n);
      }
      n = e.getValue().dim(0);
    }
    if (labels != null && (labels.rank() != 1 || labels.dim(0) != n)) {
      throw new DataException(source, LABELS + " must be one class id per sample, shape [" + n + "], got "
          + Arrays.toString(labels.shape()));
    }
    this.size = Math.toIntExact(n);
  }

  /**
   * Reads {@code <input>.npy} for every input of {@code model} that has no initializer, checked as
   * {@link SampleFiles#open} checks them, into memory.
   *
   * @param dir the data directory
   * @param model the model the data is for
   * @return the data set
   * @throws DataException naming the directory or the file at fault and what is wrong
   */
  public static Dataset fromDirectory(Path dir, OnnxModel model) {
    try (SampleFiles files = SampleFiles.open(dir, model)) {
      return files.load();
    }
  }

  /** @return how to name the data in messages */
  public String source() {
    return source;
  }

  /** @return the number of samples */
  public int size() {
    return size;
  }

  /** @return the input names */
  public List<String> inputNames() {
    return new ArrayList<>(inputs.keySet());
  }

  /** @return the class labels, if the data has them */
  public Optional<Tensor> labels() {
    return Optional.ofNullable(labels);
  }

  /** @return samples {@code [from, to)} of every input, ready to feed */
  public Map<String, Tensor> batch(int from, int to) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    inputs.forEach((name, t) -> out.put(name, t.slice(from, to)));
    return out;
  }

  /** @return the first {@code n} samples (all if there are fewer) */
  public Dataset limit(int n) {
    int m = Math.min(n, size);
    return new Dataset(source, batch(0, m), labels == null ? null : labels.slice(0, m));
  }

  /** @return {@code [from, to)} sample ranges of at most {@code batchSize} covering the data in order */
  public List<int[]> batchRanges(int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
    }
    List<int[]> ranges = new ArrayList<>();
    for (int from = 0; from < size; from += batchSize) {
      ranges.add(new int[] {from, Math.min(size, from + batchSize)});
    }
    return ranges;
  }
}
