package io.compactor.onnx.runtime;

import io.compactor.onnx.DataException;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.graph.ValueInfo;
import io.compactor.onnx.npy.Npy;
import io.compactor.onnx.tensor.ElementType;
import io.compactor.onnx.tensor.Tensor;
import java.nio.file.Files;
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
   * Reads {@code <input>.npy} for every input of {@code model} that has no initializer.
   *
   * @param dir the data directory
   * @param model the model the data is for
   * @return the data set
   * @throws DataException naming the directory and the missing or mismatched file
   */
  public static Dataset fromDirectory(Path dir, OnnxModel model) {
    if (!Files.isDirectory(dir)) {
      throw new DataException(dir.toString(), "not a directory; expected one <graph-input-name>.npy per model input");
    }
    Map<String, Tensor> inputs = new LinkedHashMap<>();
    for (ValueInfo input : model.graph().runtimeInputs()) {
      Path file = dir.resolve(input.name() + ".npy");
      if (!Files.exists(file)) {
        throw new DataException(dir.toString(), "missing " + file.getFileName() + " for model input " + input
            + "; the model's inputs are " + model.graph().runtimeInputs());
      }
      Tensor t = Npy.read(file);
      if (input.elementType().isPresent() && input.elementType().get() != t.type()) {
        throw new DataException(file.toString(), "holds " + t.type() + " but model input " + input.name()
            + " is " + input.elementType().get() + "; convert it with numpy astype");
      }
      checkShape(file, input, t);
      checkFinite(file, t);
      inputs.put(input.name(), t);
    }
    Path labelFile = dir.resolve(LABELS);
    Tensor labels = Files.exists(labelFile) ? Npy.read(labelFile) : null;
    if (labels != null) {
      checkLabels(labelFile, labels, model);
    }
    return new Dataset(dir.toString(), inputs, labels);
  }

  /** NaN or infinity would make calibration ranges and quality figures meaningless far from their cause. */
  private static void checkFinite(Path file, Tensor t) {
    if (t.type() != ElementType.FLOAT && t.type() != ElementType.DOUBLE) {
      return;
    }
    double[] v = t.type() == ElementType.DOUBLE ? t.doubles() : null;
    float[] f = v == null ? t.floats() : null;
    int n = v == null ? f.length : v.length;
    for (int i = 0; i < n; i++) {
      double x = v == null ? f[i] : v[i];
      if (!Double.isFinite(x)) {
        long perSample = Math.max(1, n / Math.max(1, t.dim(0)));
        throw new DataException(file.toString(), "holds " + x + " at sample " + i / perSample + " (element " + i
            + "); samples must be finite numbers: fix or drop that sample (numpy: np.isfinite(x).all(axis=...))");
      }
    }
  }

  /** Labels are class ids: integers in {@code [0, classes)} where the model's first output says how many. */
  private static void checkLabels(Path file, Tensor labels, OnnxModel model) {
    if (labels.type() == ElementType.FLOAT || labels.type() == ElementType.DOUBLE) {
      throw new DataException(file.toString(), "holds " + labels.type() + " values; labels must be integer class "
          + "ids, one per sample (numpy: labels.astype(np.int64))");
    }
    long classes = classes(model);
    long[] ids = labels.toLongs();
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] < 0 || classes > 0 && ids[i] >= classes) {
        String output = model.graph().outputs().get(0).name();
        throw new DataException(file.toString(), "class id " + ids[i] + " at sample " + i + " is out of range; "
            + (classes > 0 ? "model output '" + output + "' scores " + classes + " classes (0.." + (classes - 1) + ")"
                : "class ids start at 0"));
      }
    }
  }

  /** @return the per-sample width of the first output (what top-1 takes the argmax of), or 0 when not static */
  private static long classes(OnnxModel model) {
    if (model.graph().outputs().isEmpty()) {
      return 0;
    }
    Optional<long[]> shape = model.graph().outputs().get(0).shape();
    if (shape.isEmpty() || shape.get().length < 2) {
      return 0;
    }
    long width = 1;
    for (int i = 1; i < shape.get().length; i++) {
      if (shape.get()[i] <= 0) {
        return 0;
      }
      width *= shape.get()[i];
    }
    return width;
  }

  private static void checkShape(Path file, ValueInfo input, Tensor t) {
    Optional<long[]> declared = input.shape();
    if (declared.isEmpty()) {
      return;
    }
    long[] d = declared.get();
    long[] actual = t.shape();
    boolean ok = d.length == actual.length;
    for (int i = 1; ok && i < d.length; i++) {
      ok = d[i] == ValueInfo.UNKNOWN_DIM || d[i] == actual[i];
    }
    if (!ok) {
      throw new DataException(file.toString(), "shape " + Arrays.toString(actual) + " does not fit model input "
          + input + " (first axis = samples)");
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
