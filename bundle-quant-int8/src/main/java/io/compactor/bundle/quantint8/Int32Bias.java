package io.compactor.bundle.quantint8;

import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.tensor.Tensor;
import java.util.Optional;

/**
 * Moves a static Conv or Gemm bias onto its int32 grid ({@code input scale × weight scale} per channel) in
 * the fake-quant model, so the deploy model's int32 bias behind {@code DequantizeLinear} (which ONNX
 * Runtime's QDQ Conv and Gemm fusions require) computes the same numbers. MatMul biases live in a separate
 * {@code Add} and stay float, as do biases that are shared, not one per channel, or scaled by Gemm's
 * alpha/beta.
 */
final class Int32Bias {
  private Int32Bias() {}

  /**
   * @param g the fake-quant graph; the bias initializer is rewritten
   * @param node the layer
   * @param q how it was quantized
   * @return the bias scales (one per channel, or one) when the bias was snapped
   */
  static Optional<double[]> snap(Graph g, Node node, QuantizedLayer q) {
    boolean gemmPlain = !node.opType().equals("Gemm")
        || node.attrFloat("alpha", 1f) == 1f && node.attrFloat("beta", 1f) == 1f;
    if (q.input() != QuantizedLayer.Input.STATIC || node.opType().equals("MatMul") || node.inputs().size() < 3 || node.input(2).isEmpty()
        || !g.hasInitializer(node.input(2)) || g.consumers(node.input(2)).size() > 1 || !gemmPlain) {
      return Optional.empty();
    }
    Tensor b = g.initializer(node.input(2)).orElseThrow();
    float[] v = b.toFloats();
    int channels = q.scales().length;
    if (channels > 1 && v.length != channels) {
      return Optional.empty();
    }
    double sx = q.inputScale().orElseThrow();
    double[] bs = new double[channels];
    for (int i = 0; i < channels; i++) {
      bs[i] = sx * q.scales()[i];
    }
    for (int i = 0; i < v.length; i++) {
      double s = bs[channels == 1 ? 0 : i];
      v[i] = (float) (Math.rint(v[i] / s) * s);
    }
    g.setInitializer(node.input(2), Tensor.ofFloats(b.shape(), v));
    return Optional.of(bs);
  }
}
