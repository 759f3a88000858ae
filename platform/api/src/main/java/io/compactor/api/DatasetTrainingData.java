package io.compactor.api;

import io.compactor.onnx.runtime.Dataset;
import io.compactor.onnx.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** {@link TrainingData} over a loaded {@link Dataset}: samples gathered by index, one slice per sample. */
final class DatasetTrainingData implements TrainingData {
  private final Dataset data;

  DatasetTrainingData(Dataset data) {
    this.data = Objects.requireNonNull(data, "data");
  }

  @Override
  public String source() {
    return data.source();
  }

  @Override
  public int size() {
    return data.size();
  }

  @Override
  public List<String> inputNames() {
    return data.inputNames();
  }

  @Override
  public boolean hasLabels() {
    return data.labels().isPresent();
  }

  @Override
  public Map<String, Tensor> inputs(int[] indices) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (String name : data.inputNames()) {
      List<Tensor> parts = new ArrayList<>(indices.length);
      for (int i : indices) {
        parts.add(data.batch(check(i), i + 1).get(name));
      }
      out.put(name, Tensor.concat(parts));
    }
    return out;
  }

  @Override
  public Optional<Tensor> labels(int[] indices) {
    return data.labels().map(l -> {
      long[] all = l.toLongs();
      long[] picked = new long[indices.length];
      for (int k = 0; k < indices.length; k++) {
        picked[k] = all[check(indices[k])];
      }
      return Tensor.ofInt64s(new long[] {picked.length}, picked);
    });
  }

  private int check(int i) {
    if (i < 0 || i >= data.size()) {
      throw new IndexOutOfBoundsException("sample " + i + " of " + data.source() + ", which holds " + data.size());
    }
    return i;
  }

  @Override
  public String toString() {
    return data.source() + " (" + data.size() + " samples" + (hasLabels() ? ", labels" : "") + ")";
  }

}
