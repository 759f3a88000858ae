package io.compactor.bundle.quantint8;

import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.tensor.Tensor;
import java.util.List;

/**
 * How much each input channel of an activation matters to the layers that read it: {@code Σ W[:, c]²}
 * over their weights (all outputs and kernel taps). Quantization errors of independent channels add up in
 * a layer's output weighted by exactly this, so it weights the activation range search.
 */
final class ChannelImportance {
  private ChannelImportance() {}

  /** @return one weight per input channel, summed over {@code nodes} (which read the same activation) */
  static double[] of(Graph g, List<Node> nodes) {
    double[] total = null;
    for (Node n : nodes) {
      double[] one = of(g, n);
      if (total == null) {
        total = one;
      } else if (total.length == one.length) {
        for (int i = 0; i < one.length; i++) {
          total[i] += one[i];
        }
      }
    }
    return total;
  }

  static double[] of(Graph g, Node node) {
    Tensor t = g.initializer(node.input(1)).orElseThrow();
    float[] w = t.floats();
    long[] s = t.shape();
    int inner = 1;
    for (int a = 2; a < s.length; a++) {
      inner *= (int) s[a];
    }
    double[] imp;
    switch (node.opType()) {
      case "Conv" -> {
        int group = (int) node.attrInt("group", 1);
        int cout = (int) s[0];
        int cinPerGroup = (int) s[1];
        imp = new double[cinPerGroup * group];
        for (int i = 0; i < w.length; i++) {
          int o = i / (cinPerGroup * inner);
          int c = (i / inner) % cinPerGroup;
          imp[(o / (cout / group)) * cinPerGroup + c] += (double) w[i] * w[i];
        }
      }
      case "ConvTranspose" -> {
        imp = new double[(int) s[0]];
        int per = w.length / imp.length;
        for (int i = 0; i < w.length; i++) {
          imp[i / per] += (double) w[i] * w[i];
        }
      }
      default -> {
        boolean kLast = node.opType().equals("Gemm") && node.attrInt("transB", 0) != 0;
        int k = (int) (kLast ? s[1] : s[0]);
        int n = (int) (kLast ? s[0] : s[1]);
        imp = new double[k];
        for (int i = 0; i < w.length; i++) {
          int c = kLast ? i % k : i / n;
          imp[c] += (double) w[i] * w[i];
        }
      }
    }
    return imp;
  }
}
