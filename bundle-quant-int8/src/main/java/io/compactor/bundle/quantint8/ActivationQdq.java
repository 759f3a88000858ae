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
   * @param consumers the layers that read it and are quantized; rewired to the fake-quantized value
   * @return the fake-quantized value's name
   */
  static String insertStatic(Graph g, String value, ActivationRange range, List<Node> consumers) {
    String scale = g.uniqueValueName(value + "_scale");
    g.setInitializer(scale, Tensor.scalar((float) range.scale()));
    String zp = g.uniqueValueName(value + "_zero_point");
    g.setInitializer(zp, Tensor.ofUint8s(new long[0], (byte) range.zeroPoint()));
    String q = g.uniqueValueName(value + "_quantized");
    String fq = g.uniqueValueName(value + "_fakequant");
    insert(g, consumers, Node.create("QuantizeLinear", g.uniqueNodeName(value + "_QuantizeLinear"),
        List.of(value, scale, zp), List.of(q)));
    insert(g, consumers, Node.create("DequantizeLinear", g.uniqueNodeName(value + "_DequantizeLinear"),
        List.of(q, scale, zp), List.of(fq)));
    consumers.forEach(n -> n.setInput(0, fq));
    return fq;
  }

  /** As {@link #insertStatic}, with the range computed at run time by DynamicQuantizeLinear. */
  static String insertDynamic(Graph g, String value, List<Node> consumers) {
    String q = g.uniqueValueName(value + "_quantized");
    String scale = g.uniqueValueName(value + "_scale");
    String zp = g.uniqueValueName(value + "_zero_point");
    String fq = g.uniqueValueName(value + "_fakequant");
    insert(g, consumers, Node.create("DynamicQuantizeLinear", g.uniqueNodeName(value + "_DynamicQuantizeLinear"),
        List.of(value), List.of(q, scale, zp)));
    insert(g, consumers, Node.create("DequantizeLinear", g.uniqueNodeName(value + "_DequantizeLinear"),
        List.of(q, scale, zp), List.of(fq)));
    consumers.forEach(n -> n.setInput(0, fq));
    return fq;
  }

  /** Inserts {@code node} before the first of {@code consumers} in the graph's node order. */
  private static void insert(Graph g, List<Node> consumers, Node node) {
    Node first = g.nodes().stream().filter(consumers::contains).findFirst().orElseThrow();
    g.insertBefore(first, node);
  }
}
