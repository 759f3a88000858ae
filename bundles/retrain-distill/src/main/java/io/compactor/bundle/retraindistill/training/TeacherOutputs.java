package io.compactor.bundle.retraindistill.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The teacher's outputs per training sample, kept from the first time a sample is run. The teacher is fixed and
 * a sample's values are fixed, so the teacher's answer for a sample never changes: computing it once instead of
 * once per epoch saves a teacher forward pass per batch from the second epoch on (on digits-cnn with half of
 * its filters pruned, the full-width teacher's forward pass was a third of a training step).
 *
 * <p>Kept in the Java heap as floats, one row per sample, while they fit in {@code budgetBytes}: a teacher whose
 * outputs per sample times the samples exceed it, or whose outputs are not float or not batched on the first
 * axis, is simply run per batch as before ({@link #enabled()} false). A kept row is the value the teacher gave in
 * the batch that first held the sample; a batch reads rows from the first epoch's batches, so a run stays
 * deterministic for a seed.
 */
final class TeacherOutputs {
  private final int samples;
  private final long budgetBytes;
  /** Per output name: one row per sample (null until computed); null map until the first batch fixed the shapes. */
  private Map<String, float[][]> rows;
  private Map<String, Shape> sampleShapes;
  private boolean enabled = true;

  /**
   * @param samples the number of samples the indices refer to
   * @param budgetBytes the most heap the kept rows may take
   */
  TeacherOutputs(int samples, long budgetBytes) {
    this.samples = samples;
    this.budgetBytes = budgetBytes;
  }

  /** @return whether rows are kept (false once the outputs turned out too large or not cacheable) */
  boolean enabled() {
    return enabled;
  }

  /**
   * @param scope the manager the returned arrays belong to
   * @param batch sample indices, in batch order
   * @param teacher runs the teacher on exactly this batch, its outputs in {@code scope}
   * @return the teacher's outputs for the batch: kept rows when every sample has them, else a fresh run (kept)
   */
  Map<String, NDArray> get(NDManager scope, int[] batch, Supplier<Map<String, NDArray>> teacher) {
    if (enabled && rows != null && Arrays.stream(batch).allMatch(this::has)) {
      return read(scope, batch);
    }
    Map<String, NDArray> out = teacher.get();
    if (enabled) {
      keep(batch, out);
    }
    return out;
  }

  private boolean has(int sample) {
    return rows.values().iterator().next()[sample] != null;
  }

  private Map<String, NDArray> read(NDManager scope, int[] batch) {
    Map<String, NDArray> out = new LinkedHashMap<>();
    rows.forEach((name, kept) -> {
      Shape one = sampleShapes.get(name);
      int width = (int) one.size();
      float[] values = new float[batch.length * width];
      for (int i = 0; i < batch.length; i++) {
        System.arraycopy(kept[batch[i]], 0, values, i * width, width);
      }
      out.put(name, scope.create(values, new Shape(batch.length).addAll(one)));
    });
    return out;
  }

  private void keep(int[] batch, Map<String, NDArray> out) {
    if (rows == null && !start(batch.length, out)) {
      enabled = false;
      return;
    }
    for (Map.Entry<String, NDArray> e : out.entrySet()) {
      Shape one = sampleShapes.get(e.getKey());
      if (!e.getValue().getShape().equals(new Shape(batch.length).addAll(one))) {
        // another batch, another per-sample shape (inputs padded per batch): nothing kept is reliable
        enabled = false;
        rows = null;
        return;
      }
      float[] all = e.getValue().toFloatArray();
      int width = (int) one.size();
      float[][] kept = rows.get(e.getKey());
      for (int i = 0; i < batch.length; i++) {
        kept[batch[i]] = Arrays.copyOfRange(all, i * width, (i + 1) * width);
      }
    }
  }

  /** @return whether the outputs can be kept: float, batched on the first axis, and within the budget */
  private boolean start(int batchSize, Map<String, NDArray> out) {
    if (out.isEmpty()) {
      return false;
    }
    Map<String, Shape> shapes = new LinkedHashMap<>();
    long bytes = 0;
    for (Map.Entry<String, NDArray> e : out.entrySet()) {
      Shape s = e.getValue().getShape();
      if (e.getValue().getDataType() != DataType.FLOAT32 || s.dimension() == 0 || s.get(0) != batchSize) {
        return false;
      }
      Shape one = s.slice(1);
      shapes.put(e.getKey(), one);
      bytes += one.size() * Float.BYTES * samples;
    }
    if (bytes > budgetBytes) {
      return false;
    }
    sampleShapes = shapes;
    rows = new LinkedHashMap<>();
    shapes.keySet().forEach(name -> rows.put(name, new float[samples][]));
    return true;
  }
}
