package io.compactor.bundle.quantint8;

import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.tensor.Tensor;
import java.util.List;
import java.util.Optional;

/**
 * Folds an inference-mode {@code BatchNormalization} into the {@code Conv} before it when the Conv's output
 * feeds only that BatchNormalization and all weights are constant: {@code W' = W · γ/√(σ² + ε)} per output
 * channel, {@code b' = (b − μ) · γ/√(σ² + ε) + β}. The Conv takes over the BatchNormalization's output
 * name, so a reference model that still has the BatchNormalization yields the same value under that name.
 * Exporters such as Paddle2ONNX write the two as separate nodes; left unfolded, a quantized Conv's output
 * reaches a float BatchNormalization instead of a QuantizeLinear, and ONNX Runtime neither fuses the Conv
 * into {@code QLinearConv} nor folds the BatchNormalization into the dequantized weight.
 */
final class BatchNormFold {
  private BatchNormFold() {}

  /** @return the number of BatchNormalizations folded */
  static int apply(Graph g) {
    int folded = 0;
    for (Node bn : List.copyOf(g.nodes())) {
      if (bn.opType().equals("BatchNormalization") && bn.domain().isEmpty() && fold(g, bn)) {
        folded++;
      }
    }
    if (folded > 0) {
      g.removeUnused();
    }
    return folded;
  }

  private static boolean fold(Graph g, Node bn) {
    if (bn.outputs().stream().skip(1).anyMatch(o -> !o.isEmpty()) || bn.attrInt("training_mode", 0) != 0
        || bn.inputs().size() < 5) {
      return false;
    }
    Optional<Node> producer = g.producer(bn.input(0));
    if (producer.isEmpty() || !producer.get().opType().equals("Conv") || !producer.get().domain().isEmpty()) {
      return false;
    }
    Node conv = producer.get();
    String y = conv.output(0);
    if (g.consumers(y).size() != 1 || g.outputs().stream().anyMatch(o -> o.name().equals(y))) {
      return false;
    }
    String w = conv.input(1);
    String b = conv.inputs().size() > 2 && !conv.input(2).isEmpty() ? conv.input(2) : null;
    Optional<Tensor> wt = g.initializer(w);
    if (wt.isEmpty() || wt.get().rank() < 3 || g.consumers(w).size() != 1
        || (b != null && (!g.hasInitializer(b) || g.consumers(b).size() != 1))) {
      return false;
    }
    float[][] p = new float[4][];
    for (int i = 0; i < 4; i++) {
      Optional<Tensor> t = g.initializer(bn.input(i + 1));
      if (t.isEmpty()) {
        return false;
      }
      p[i] = t.get().toFloats();
    }
    int m = (int) wt.get().dim(0);
    if (p[0].length != m || p[1].length != m || p[2].length != m || p[3].length != m) {
      return false;
    }
    double eps = bn.attrFloat("epsilon", 1e-5f);
    float[] wv = wt.get().floats().clone();
    float[] bias = b == null ? new float[m] : g.initializer(b).orElseThrow().toFloats().clone();
    int per = wv.length / m;
    for (int c = 0; c < m; c++) {
      double f = p[0][c] / Math.sqrt(p[3][c] + eps);
      for (int k = 0; k < per; k++) {
        wv[c * per + k] = (float) (wv[c * per + k] * f);
      }
      bias[c] = (float) ((bias[c] - p[2][c]) * f + p[1][c]);
    }
    g.setInitializer(w, Tensor.ofFloats(wt.get().shape(), wv));
    if (b == null) {
      b = g.uniqueValueName(conv.name() + "_bias");
      conv.setInput(2, b);
    }
    g.setInitializer(b, Tensor.ofFloats(new long[] {m}, bias));
    String out = bn.output(0);
    g.removeNode(bn);
    conv.setOutput(0, out);
    return true;
  }
}
