package io.compactor.bundle.quantint8;

import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.runtime.ActivationCapture;
import io.compactor.onnx.runtime.Dataset;
import io.compactor.onnx.tensor.Tensor;
import io.compactor.retrain.RangeHistogram;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects, for each activation that feeds a quantized layer, a weighted histogram of its values on the
 * calibration data: one pass for the observed minimum and maximum, one to fill the histograms. A value's
 * weight is the importance of its channel to the layers it feeds ({@code Σ W[:, c]²}), so the range
 * search minimizes an estimate of those layers' output error.
 */
final class ActivationCalibration {
  /**
   * One activation to calibrate.
   *
   * @param value the value name
   * @param channelAxis the axis holding channels, negative to count from the end
   * @param importance one weight per channel
   */
  record Target(String value, int channelAxis, double[] importance) {}

  private ActivationCalibration() {}

  /** @return a histogram per target value, in the order of {@code targets} */
  static Map<String, RangeHistogram> histograms(OnnxModel model, List<Target> targets, Dataset data, int batchSize) {
    List<String> values = new ArrayList<>(targets.stream().map(Target::value).toList());
    Map<String, double[]> extremes = new LinkedHashMap<>();
    values.forEach(v -> extremes.put(v, new double[] {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}));
    ActivationCapture.stream(model, values, data, batchSize, (range, batch) -> batch.forEach((name, t) -> {
      double[] mm = extremes.get(name);
      for (float f : t.toFloats()) {
        if (f < mm[0]) {
          mm[0] = f;
        }
        if (f > mm[1]) {
          mm[1] = f;
        }
      }
    }));
    Map<String, RangeHistogram> histograms = new LinkedHashMap<>();
    Map<String, Target> byValue = new LinkedHashMap<>();
    for (Target t : targets) {
      double[] mm = extremes.get(t.value());
      histograms.put(t.value(), new RangeHistogram(mm[0], mm[1]));
      byValue.put(t.value(), t);
    }
    ActivationCapture.stream(model, values, data, batchSize, (range, batch) -> batch.forEach((name, t) ->
        fill(histograms.get(name), t, byValue.get(name))));
    return histograms;
  }

  private static void fill(RangeHistogram h, Tensor t, Target target) {
    float[] v = t.toFloats();
    int axis = target.channelAxis() < 0 ? t.rank() + target.channelAxis() : target.channelAxis();
    long channels = axis >= 0 && axis < t.rank() ? t.dim(axis) : 1;
    double[] w = target.importance();
    boolean weighted = channels == w.length;
    long inner = 1;
    for (int a = axis + 1; a < t.rank(); a++) {
      inner *= t.dim(a);
    }
    for (int i = 0; i < v.length; i++) {
      h.add(v[i], weighted ? w[(int) ((i / inner) % channels)] : 1);
    }
  }
}
