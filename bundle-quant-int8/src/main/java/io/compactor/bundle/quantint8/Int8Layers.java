package io.compactor.bundle.quantint8;

import io.compactor.onnx.graph.Graph;
import java.util.LinkedHashMap;
import java.util.Map;

/** The resolved settings of one step's layers, and the decisions read from them, shared by the phases. */
final class Int8Layers {
  private final Map<String, Int8Settings> settings = new LinkedHashMap<>();

  void put(String node, Int8Settings s) {
    settings.put(node, s);
  }

  Int8Settings get(String node) {
    return settings.get(node);
  }

  /** @return whether the layer's weight has one scale per output channel */
  boolean perChannel(String node) {
    return settings.get(node).channelWise();
  }

  /** @return whether the layer's activation is quantized at run time: the extension, on MatMul only */
  boolean dynamic(Graph g, String node) {
    return settings.get(node).dynamic() && g.node(node).orElseThrow().opType().equals("MatMul");
  }

  /** @return whether the weight gets one scale per row: per channel, or dynamic (MatMulInteger's per-column scale) */
  boolean perRow(Graph g, String node) {
    return perChannel(node) || dynamic(g, node);
  }

  /** Falls back to one weight scale for a per-channel layer (when the opset cannot carry per-axis scales). */
  void perTensor(String node) {
    Int8Settings s = settings.get(node);
    settings.put(node, new Int8Settings(s.weightAlgo(), false, s.clip(), s.fixedMin(), s.batchNum(), s.fp16Scale(),
        s.dynamic()));
  }
}
