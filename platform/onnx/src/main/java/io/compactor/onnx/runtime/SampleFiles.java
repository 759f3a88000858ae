package io.compactor.onnx.runtime;

import io.compactor.onnx.DataException;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.graph.ValueInfo;
import io.compactor.onnx.npy.NpyFile;
import io.compactor.onnx.tensor.ElementType;
import io.compactor.onnx.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A sample directory read in parts: one {@code <graph-input-name>.npy} per model input (first axis = samples)
 * and optionally {@code labels.npy} (class ids), opened without loading them. Opening checks every file once,
 * a bounded chunk at a time (missing, wrong type or shape, no samples, disagreeing sample counts, NaN or
 * infinity, labels of the wrong length, type or range) and names the file at fault; afterwards samples are read
 * by index, so a data set larger than the heap can feed training batch by batch. {@link Dataset#fromDirectory}
 * loads a whole directory through this class. Reads are positional and may run from several threads; close it.
 */
public final class SampleFiles implements AutoCloseable {
  /** Bytes read at a time by the opening checks: the most these hold in memory. */
  static final long CHECK_CHUNK_BYTES = 4L << 20;
  private final Path dir;
  private final Map<String, NpyFile> inputs;
  private final NpyFile labels;
  private final int size;

  private SampleFiles(Path dir, Map<String, NpyFile> inputs, NpyFile labels, int size) {
    this.dir = dir;
    this.inputs = inputs;
    this.labels = labels;
    this.size = size;
  }

  /**
   * @param dir the sample directory
   * @param model the model the samples feed (its inputs without initializers)
   * @return the open, checked files
   * @throws DataException naming the directory or the file at fault and what is wrong
   */
  public static SampleFiles open(Path dir, OnnxModel model) {
    if (!Files.isDirectory(dir)) {
      throw new DataException(dir.toString(), "not a directory; expected one <graph-input-name>.npy per model input");
    }
    List<ValueInfo> runtimeInputs = model.graph().runtimeInputs();
    if (runtimeInputs.isEmpty()) {
      throw new DataException(dir.toString(), "the model has no inputs to feed");
    }
    Map<String, NpyFile> files = new LinkedHashMap<>();
    NpyFile labelFile = null;
    try {
      long n = -1;
      String first = null;
      for (ValueInfo input : runtimeInputs) {
        Path file = dir.resolve(input.name() + ".npy");
        if (!Files.exists(file)) {
          throw new DataException(dir.toString(), "missing " + file.getFileName() + " for model input " + input
              + "; the model's inputs are " + runtimeInputs);
        }
        NpyFile npy = NpyFile.open(file);
        files.put(input.name(), npy);
        checkInput(npy, input);
        if (n >= 0 && npy.samples() != n) {
          throw new DataException(file.toString(), "has " + npy.samples() + " samples, " + first + " has " + n
              + "; every input file holds the same samples");
        }
        if (npy.samples() == 0) {
          throw new DataException(file.toString(), "holds no samples (shape " + Arrays.toString(npy.shape())
              + "); give at least one");
        }
        n = npy.samples();
        first = file.getFileName().toString();
        checkFinite(npy);
      }
      Path labelPath = dir.resolve(Dataset.LABELS);
      if (Files.exists(labelPath)) {
        labelFile = NpyFile.open(labelPath);
        checkLabels(labelFile, n, model);
      }
      return new SampleFiles(dir, files, labelFile, Math.toIntExact(n));
    } catch (RuntimeException e) {
      files.values().forEach(SampleFiles::closeQuietly);
      if (labelFile != null) {
        closeQuietly(labelFile);
      }
      throw e;
    }
  }

  private static void checkInput(NpyFile npy, ValueInfo input) {
    String file = npy.file().toString();
    if (input.elementType().isPresent() && input.elementType().get() != npy.type()) {
      throw new DataException(file, "holds " + npy.type() + " but model input " + input.name() + " is "
          + input.elementType().get() + "; convert it with numpy astype");
    }
    Optional<long[]> declared = input.shape();
    if (declared.isEmpty()) {
      return;
    }
    long[] d = declared.get();
    long[] actual = npy.shape();
    boolean ok = d.length == actual.length;
    for (int i = 1; ok && i < d.length; i++) {
      ok = d[i] == ValueInfo.UNKNOWN_DIM || d[i] == actual[i];
    }
    if (!ok) {
      throw new DataException(file, "shape " + Arrays.toString(actual) + " does not fit model input " + input
          + " (first axis = samples)");
    }
  }

  /** NaN or infinity would make ranges, losses and quality figures meaningless far from their cause. */
  private static void checkFinite(NpyFile npy) {
    if (npy.type() != ElementType.FLOAT && npy.type() != ElementType.DOUBLE) {
      return;
    }
    long perSample = Math.max(1, Tensor.elementCount(npy.shape()) / npy.samples());
    long chunk = Math.max(1, CHECK_CHUNK_BYTES / (perSample * npy.type().bytes()));
    for (long from = 0; from < npy.samples(); from += chunk) {
      Tensor t = npy.read(from, Math.min(npy.samples(), from + chunk));
      double[] d = npy.type() == ElementType.DOUBLE ? t.doubles() : null;
      float[] f = d == null ? t.floats() : null;
      int count = d == null ? f.length : d.length;
      for (int i = 0; i < count; i++) {
        double x = d == null ? f[i] : d[i];
        if (!Double.isFinite(x)) {
          throw new DataException(npy.file().toString(), "holds " + x + " at sample " + (from + i / perSample)
              + "; samples must be finite numbers: fix or drop that sample (numpy: np.isfinite(x).all(axis=...))");
        }
      }
    }
  }

  /** Labels are class ids: integers in {@code [0, classes)} where the model's first output says how many. */
  private static void checkLabels(NpyFile labels, long n, OnnxModel model) {
    String file = labels.file().toString();
    if (labels.shape().length != 1 || labels.samples() != n) {
      throw new DataException(file, Dataset.LABELS + " must be one class id per sample, shape [" + n + "], got "
          + Arrays.toString(labels.shape()));
    }
    if (labels.type() == ElementType.FLOAT || labels.type() == ElementType.DOUBLE) {
      throw new DataException(file, "holds " + labels.type() + " values; labels must be integer class ids, one "
          + "per sample (numpy: labels.astype(np.int64))");
    }
    long classes = classes(model);
    long chunk = CHECK_CHUNK_BYTES / Long.BYTES;
    for (long from = 0; from < n; from += chunk) {
      long[] ids = labels.read(from, Math.min(n, from + chunk)).toLongs();
      for (int i = 0; i < ids.length; i++) {
        if (ids[i] < 0 || classes > 0 && ids[i] >= classes) {
          String output = model.graph().outputs().get(0).name();
          throw new DataException(file, "class id " + ids[i] + " at sample " + (from + i) + " is out of range; "
              + (classes > 0 ? "model output '" + output + "' scores " + classes + " classes (0.." + (classes - 1)
                  + ")" : "class ids start at 0"));
        }
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

  /** @return the directory */
  public Path dir() {
    return dir;
  }

  /** @return the number of samples, at least 1 */
  public int size() {
    return size;
  }

  /** @return the graph inputs the samples feed, in the model's order */
  public List<String> inputNames() {
    return new ArrayList<>(inputs.keySet());
  }

  /** @return whether {@code labels.npy} gives a class id per sample */
  public boolean hasLabels() {
    return labels != null;
  }

  /**
   * @param indices sample indices, each in {@code [0, size())}, in the order wanted (repeats allowed)
   * @return one tensor per graph input, first axis = {@code indices.length}
   */
  public Map<String, Tensor> inputs(int[] indices) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    inputs.forEach((name, npy) -> out.put(name, npy.gather(indices)));
    return out;
  }

  /**
   * @param indices sample indices
   * @return their class ids as INT64 {@code [indices.length]}; empty without labels
   */
  public Optional<Tensor> labels(int[] indices) {
    if (labels == null) {
      return Optional.empty();
    }
    long[] ids = labels.gather(indices).toLongs();
    return Optional.of(Tensor.ofInt64s(new long[] {ids.length}, ids));
  }

  /** @return every sample in memory, for data sets that fit (calibration, evaluation) */
  Dataset load() {
    Map<String, Tensor> all = new LinkedHashMap<>();
    inputs.forEach((name, npy) -> all.put(name, npy.read(0, size)));
    return new Dataset(dir.toString(), all, labels == null ? null : labels.read(0, size));
  }

  @Override
  public void close() {
    DataException failure = null;
    List<NpyFile> open = new ArrayList<>(inputs.values());
    if (labels != null) {
      open.add(labels);
    }
    for (NpyFile f : open) {
      try {
        f.close();
      } catch (DataException e) {
        failure = failure == null ? e : failure;
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  private static void closeQuietly(NpyFile f) {
    try {
      f.close();
    } catch (DataException ignored) {
      // the check's failure is what the caller sees
    }
  }

  @Override
  public String toString() {
    return dir + " (" + size + " samples" + (labels != null ? ", labels" : "") + ")";
  }
}
