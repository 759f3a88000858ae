package io.compactor.bundle.quantint8;

import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.tensor.Tensor;
import io.compactor.retrain.ActivationRange;
import java.util.List;

/**
 * Inserts activation quantization in front of quantized layers, in the float fake-quant model: a static
 * {@code QuantizeLinear → DequantizeLinear} pair with a UINT8 range, or a dynamic
 * {@code DynamicQuantizeLinear → DequantizeLinear} pair whose range ONNX Runtime computes per run. The
 * layers then read the dequantized value, so their weights stay float and every later calibration pass
 * sees the quantized inputs.
 */
final class ActivationQdq {
  private ActivationQdq() {}

  /**
   * @param value the activation
   * @param range its static range
   * @param rewired every node to read the fake-quantized value: the quantized layers, or all readers of the
   *     value when that lets ONNX Runtime fuse the producing layer with its output quantization
   * @return the fake-quantized value's name
   */
  static String insertStatic(Graph g, String value, ActivationRange range, List<Node> rewired) {
    String scale = g.uniqueValueName(value + "_scale");
    g.setInitializer(scale, Tensor.scalar((float) range.scale()));
    String zp = g.uniqueValueName(value + "_zero_point");
    g.setInitializer(zp, Tensor.ofUint8s(new long[0], (byte) range.zeroPoint()));
    String q = g.uniqueValueName(value + "_quantized");
    String fq = g.uniqueValueName(value + "_fakequant");
    Node quantize = Node.create("QuantizeLinear", g.uniqueNodeName(value + "_QuantizeLinear"),
        List.of(value, scale, zp), List.of(q));
    insert(g, value, quantize);
    g.insertAfter(quantize, Node.create("DequantizeLinear", g.uniqueNodeName(value + "_DequantizeLinear"),
        List.of(q, scale, zp), List.of(fq)));
    for (Node n : rewired) {
      List<String> in = n.inputs();
      for (int i = 0; i < in.size(); i++) {
        if (in.get(i).equals(value)) {
          n.setInput(i, fq);
        }
      }
    }
    return fq;
  }

  /** As {@link #insertStatic}, with the range computed at run time by DynamicQuantizeLinear. */
  static String insertDynamic(Graph g, String value, List<Node> consumers) {
    String q = g.uniqueValueName(value + "_quantized");
    String scale = g.uniqueValueName(value + "_scale");
    String zp = g.uniqueValueName(value + "_zero_point");
    String fq = g.uniqueValueName(value + "_fakequant");
    Node quantize = Node.create("DynamicQuantizeLinear", g.uniqueNodeName(value + "_DynamicQuantizeLinear"),
        List.of(value), List.of(q, scale, zp));
    insert(g, value, quantize);
    g.insertAfter(quantize, Node.create("DequantizeLinear", g.uniqueNodeName(value + "_DequantizeLinear"),
        List.of(q, scale, zp), List.of(fq)));
    consumers.forEach(n -> n.setInput(0, fq));
    return fq;
  }

  /** Inserts {@code node} before the first reader of {@code value} in the graph's node order. */
  private static void insert(Graph g, String value, Node node) {
    Node first = g.nodes().stream().filter(n -> n.inputs().contains(value)).findFirst().orElseThrow();
    g.insertBefore(first, node);
  }
}
