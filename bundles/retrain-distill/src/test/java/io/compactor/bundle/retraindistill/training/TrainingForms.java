package io.compactor.bundle.retraindistill.training;

import io.compactor.api.TrainingData;
import io.compactor.onnx.fixtures.TestModels;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.npy.Npy;
import io.compactor.onnx.runtime.Dataset;
import io.compactor.onnx.tensor.Tensor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A pruned, fake-quantized residual CNN in the form the compression steps hand over: conv2 2:4-sparse (the two
 * smallest of every four consecutive weights zero, with its mask), every weight on a per-channel int8 grid, and
 * static UINT8 QuantizeLinear/DequantizeLinear pairs (one scale initializer each, as the INT8 step writes them)
 * in front of conv2 and the classifier, whose scales learn.
 */
public final class TrainingForms {
  static final String IMAGE = "image";

  private TrainingForms() {}

  public static OnnxModel teacher() {
    return TestModels.residualCnn(3, false);
  }

  public static StudentForm prunedFakeQuant(StudentForm.Scope scope) {
    OnnxModel model = teacher().copy("residual-cnn (2:4 + INT8 training form)");
    Graph g = model.graph();
    Map<String, Tensor> masks = new LinkedHashMap<>();
    Tensor w = g.initializer("conv2.w").orElseThrow();
    float[] v = w.floats();
    float[] mask = new float[v.length];
    for (int group = 0; group < v.length; group += 4) {
      // keep the two largest magnitudes of every four
      Integer[] idx = {group, group + 1, group + 2, group + 3};
      java.util.Arrays.sort(idx, (a, b) -> Float.compare(Math.abs(v[b]), Math.abs(v[a])));
      mask[idx[0]] = 1;
      mask[idx[1]] = 1;
      v[idx[2]] = 0;
      v[idx[3]] = 0;
    }
    g.setInitializer("conv2.w", Tensor.ofFloats(w.shape(), v));
    masks.put("conv2.w", Tensor.ofFloats(w.shape(), mask));
    Map<String, WeightGrid> grids = new LinkedHashMap<>();
    for (String weight : List.of("conv1.w", "conv2.w", "fc.w")) {
      grids.put(weight, perChannel(g.initializer(weight).orElseThrow()));
    }
    Set<String> scales = new LinkedHashSet<>();
    scales.add(staticPair(g, "relu1.out", "conv2", 4f / 255));
    scales.add(staticPair(g, "flat", "fc", 2f / 255));
    Set<String> trainable = StudentForm.trainable(model, scope, List.of("conv2"));
    return new StudentForm(model, trainable, masks, grids, scales);
  }

  /** One scale per output channel (axis 0): the largest magnitude on ±127. */
  private static WeightGrid perChannel(Tensor w) {
    float[] v = w.floats();
    int channels = (int) w.dim(0);
    int per = v.length / channels;
    float[] scales = new float[channels];
    for (int c = 0; c < channels; c++) {
      float max = 1e-6f;
      for (int i = 0; i < per; i++) {
        max = Math.max(max, Math.abs(v[c * per + i]));
      }
      scales[c] = max / 127;
    }
    return new WeightGrid(0, scales, 127);
  }

  /** Inserts {@code value → Q → DQ → reader}; returns the scale initializer's name. */
  private static String staticPair(Graph g, String value, String reader, float scale) {
    String s = value + "_scale";
    String zp = value + "_zero_point";
    g.setInitializer(s, Tensor.scalar(scale));
    g.setInitializer(zp, Tensor.ofUint8s(new long[0], (byte) 0));
    Node consumer = g.node(reader).orElseThrow();
    Node q = Node.create("QuantizeLinear", value + "_QuantizeLinear", List.of(value, s, zp),
        List.of(value + "_quantized"));
    Node dq = Node.create("DequantizeLinear", value + "_DequantizeLinear", List.of(value + "_quantized", s, zp),
        List.of(value + "_fakequant"));
    g.insertBefore(consumer, q);
    g.insertBefore(consumer, dq);
    consumer.setInput(0, value + "_fakequant");
    return s;
  }

  /** Writes {@code n} images as {@code image.npy} (and labels when given) into {@code dir}. */
  static Path data(Path dir, long seed, int n) {
    Npy.write(dir.resolve(IMAGE + ".npy"), TestModels.images(seed, n));
    return dir;
  }

  /** @return the samples of {@code dir} as the host hands them to the retraining step */
  static Samples samples(Path dir, OnnxModel model) {
    return Samples.of(TrainingData.of(Dataset.fromDirectory(dir, model)));
  }
}
