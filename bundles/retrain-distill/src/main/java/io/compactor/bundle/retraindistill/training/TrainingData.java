package io.compactor.bundle.retraindistill.training;

import io.compactor.onnx.DataException;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.graph.ValueInfo;
import io.compactor.onnx.npy.NpyFile;
import io.compactor.onnx.runtime.Dataset;
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
 * Training samples streamed from a directory of {@code <graph-input-name>.npy} files (and optionally
 * {@code labels.npy}, class ids): only the header of each file is kept, batches are read by sample offset, so a
 * training set larger than memory works. Opening checks every file once, chunk by chunk (missing, wrong type
 * or shape, empty, disagreeing sample counts, NaN or infinity, labels of the wrong length or range) and names
 * the file at fault. Close it.
 */
public final class TrainingData implements Samples, AutoCloseable {
  /** Bytes read at a time by the opening check. */
  private static final long CHECK_CHUNK_BYTES = 8L << 20;
  private final Path dir;
  private final Map<String, NpyFile> inputs;
  private final NpyFile labels;
  private final int size;

  private TrainingData(Path dir, Map<String, NpyFile> inputs, NpyFile labels, int size) {
    this.dir = dir;
    this.inputs = inputs;
    this.labels = labels;
    this.size = size;
  }

  /**
   * @param dir the training directory
   * @param model the model the samples feed (its inputs without initializers)
   * @return the open data, checked
   * @throws DataException naming the directory or the file at fault and what is wrong
   */
  public static TrainingData open(Path dir, OnnxModel model) {
    if (!Files.isDirectory(dir)) {
      throw new DataException(dir.toString(), "not a directory; expected one <graph-input-name>.npy per model input");
    }
    Map<String, NpyFile> files = new LinkedHashMap<>();
    NpyFile labelFile = null;
    try {
      long n = -1;
      String first = null;
      for (ValueInfo input : model.graph().runtimeInputs()) {
        Path file = dir.resolve(input.name() + ".npy");
        if (!Files.exists(file)) {
          throw new DataException(dir.toString(), "missing " + file.getFileName() + " for model input " + input
              + "; the model's inputs are " + model.graph().runtimeInputs());
        }
        NpyFile npy = NpyFile.open(file);
        files.put(input.name(), npy);
        checkInput(npy, input);
        if (n >= 0 && npy.samples() != n) {
          throw new DataException(file.toString(), "has " + npy.samples() + " samples, " + first + " has " + n
              + "; every input file holds the same samples");
        }
        n = npy.samples();
        first = file.getFileName().toString();
        checkFinite(npy);
      }
      if (n == 0) {
        throw new DataException(dir.resolve(first).toString(), "holds no samples; training needs at least one");
      }
      Path labelPath = dir.resolve(Dataset.LABELS);
      if (Files.exists(labelPath)) {
        labelFile = NpyFile.open(labelPath);
        checkLabels(labelFile, n, model);
      }
      return new TrainingData(dir, files, labelFile, Math.toIntExact(n));
    } catch (RuntimeException e) {
      files.values().forEach(NpyFile::close);
      if (labelFile != null) {
        labelFile.close();
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
    long[] actual = npy.shape();
    if (declared.isPresent()) {
      long[] d = declared.get();
      boolean ok = d.length == actual.length;
      for (int i = 1; ok && i < d.length; i++) {
        ok = d[i] == ValueInfo.UNKNOWN_DIM || d[i] == actual[i];
      }
      if (!ok) {
        throw new DataException(file, "shape " + Arrays.toString(actual) + " does not fit model input " + input
            + " (first axis = samples)");
      }
    }
  }

  /** NaN or infinity would turn every weight into NaN a few steps later, far from its cause. */
  private static void checkFinite(NpyFile npy) {
    if (npy.type() != ElementType.FLOAT && npy.type() != ElementType.DOUBLE) {
      return;
    }
    long perSample = Math.max(1, Tensor.elementCount(npy.shape()) / Math.max(1, npy.samples()));
    long chunk = Math.max(1, CHECK_CHUNK_BYTES / (perSample * npy.type().bytes()));
    for (long from = 0; from < npy.samples(); from += chunk) {
      long to = Math.min(npy.samples(), from + chunk);
      Tensor t = npy.read(from, to);
      double[] d = npy.type() == ElementType.DOUBLE ? t.doubles() : null;
      float[] f = d == null ? t.floats() : null;
      int count = d == null ? f.length : d.length;
      for (int i = 0; i < count; i++) {
        double x = d == null ? f[i] : d[i];
        if (!Double.isFinite(x)) {
          throw new DataException(npy.file().toString(), "holds " + x + " at sample " + (from + i / perSample)
              + "; samples must be finite numbers: fix or drop that sample");
        }
      }
    }
  }

  private static void checkLabels(NpyFile labels, long n, OnnxModel model) {
    String file = labels.file().toString();
    if (labels.shape().length != 1 || labels.samples() != n) {
      throw new DataException(file, "must be one class id per sample, shape [" + n + "], got "
          + Arrays.toString(labels.shape()));
    }
    if (labels.type() == ElementType.FLOAT || labels.type() == ElementType.DOUBLE) {
      throw new DataException(file, "holds " + labels.type() + " values; labels must be integer class ids "
          + "(numpy: labels.astype(np.int64))");
    }
    long classes = classes(model);
    long[] ids = labels.read(0, n).toLongs();
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] < 0 || classes > 0 && ids[i] >= classes) {
        throw new DataException(file, "class id " + ids[i] + " at sample " + i + " is out of range"
            + (classes > 0 ? "; the model's first output scores " + classes + " classes" : "; ids start at 0"));
      }
    }
  }

  /** @return the class count of a first output of shape {@code [N, classes]}, or 0 when it has another shape */
  static long classes(OnnxModel model) {
    List<ValueInfo> outputs = model.graph().outputs();
    if (outputs.isEmpty() || outputs.get(0).shape().isEmpty()) {
      return 0;
    }
    long[] shape = outputs.get(0).shape().get();
    return shape.length == 2 && shape[1] > 0 ? shape[1] : 0;
  }

  /** @return the directory, for messages */
  public Path dir() {
    return dir;
  }

  @Override
  public int size() {
    return size;
  }

  /** @return whether the data has class labels */
  public boolean hasLabels() {
    return labels != null;
  }

  @Override
  public Map<String, Tensor> inputs(int[] indices) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    inputs.forEach((name, npy) -> out.put(name, npy.gather(indices)));
    return out;
  }

  @Override
  public Optional<Tensor> labels(int[] indices) {
    if (labels == null) {
      return Optional.empty();
    }
    long[] ids = labels.gather(indices).toLongs();
    return Optional.of(Tensor.ofInt64s(new long[] {ids.length}, ids));
  }

  @Override
  public void close() {
    List<RuntimeException> failures = new ArrayList<>();
    for (NpyFile f : inputs.values()) {
      try {
        f.close();
      } catch (RuntimeException e) {
        failures.add(e);
      }
    }
    if (labels != null) {
      labels.close();
    }
    if (!failures.isEmpty()) {
      throw failures.get(0);
    }
  }
}
