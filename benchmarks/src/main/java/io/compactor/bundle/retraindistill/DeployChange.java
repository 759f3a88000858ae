package io.compactor.bundle.retraindistill;

import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.tensor.ElementType;
import io.compactor.onnx.tensor.Tensor;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * What retraining changed in the deploy model, against the deploy model of the same compression without it:
 * how many int8 weight codes differ (and by how much at most), and how far the activation scales (the scale
 * input of every QuantizeLinear that quantizes an activation) moved.
 *
 * @param codes int8 weight codes compared
 * @param changedCodes codes that differ
 * @param largestCodeStep the largest difference of one code
 * @param zeroCodes codes that are 0 in both (sparsity zeros and removed weights stay)
 * @param scales activation scales compared
 * @param meanScaleChange mean of |new / old − 1| over the scales
 * @param largestScaleChange the largest |new / old − 1|
 */
record DeployChange(long codes, long changedCodes, int largestCodeStep, long zeroCodes, int scales,
    double meanScaleChange, double largestScaleChange) {

  /** @return the comparison of two deploy models of one compression (same initializer names and shapes) */
  static DeployChange between(Path before, Path after) {
    Graph a = OnnxModel.load(before).graph();
    Graph b = OnnxModel.load(after).graph();
    long codes = 0;
    long changed = 0;
    long zeros = 0;
    int step = 0;
    for (String name : a.initializerNames()) {
      Tensor x = a.initializer(name).orElseThrow();
      Optional<Tensor> y = b.initializer(name);
      if (x.type() != ElementType.INT8 || y.isEmpty() || y.get().size() != x.size()) {
        continue;
      }
      byte[] p = x.int8s();
      byte[] q = y.get().int8s();
      for (int i = 0; i < p.length; i++) {
        codes++;
        int d = Math.abs(p[i] - q[i]);
        changed += d != 0 ? 1 : 0;
        zeros += p[i] == 0 && q[i] == 0 ? 1 : 0;
        step = Math.max(step, d);
      }
    }
    int scales = 0;
    double sum = 0;
    double largest = 0;
    for (Node n : a.nodes()) {
      if (!n.opType().equals("QuantizeLinear") || a.isConstant(n.input(0)) || n.inputs().size() < 2) {
        continue;
      }
      Optional<Tensor> x = a.initializer(n.input(1));
      Optional<Tensor> y = b.initializer(n.input(1));
      if (x.isEmpty() || y.isEmpty() || x.get().size() != 1 || y.get().size() != 1) {
        continue;
      }
      double change = Math.abs(y.get().toFloats()[0] / x.get().toFloats()[0] - 1);
      scales++;
      sum += change;
      largest = Math.max(largest, change);
    }
    return new DeployChange(codes, changed, step, zeros, scales, scales == 0 ? 0 : sum / scales, largest);
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "%,d of %,d int8 weight codes changed (%.1f %%, at most ±%d; %,d zeros in "
        + "both), %d activation scales moved by %.2f %% on average, at most %.2f %%", changedCodes, codes,
        codes == 0 ? 0 : 100.0 * changedCodes / codes, largestCodeStep, zeroCodes, scales, 100 * meanScaleChange,
        100 * largestScaleChange);
  }
}
