package io.compactor.bundle.quantint8;

import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** The resolved settings of one step's layers, and the decisions read from them, shared by the phases. */
final class Int8Layers {
  private final Map<String, Int8Settings> settings = new LinkedHashMap<>();
  private final Set<String> floatActivations = new LinkedHashSet<>();

  void put(String node, Int8Settings s) {
    settings.put(node, s);
    floatActivations.addAll(s.floatActivations());
  }

  /** @return whether the activation is named in {@code float_activations} of some layer */
  boolean isFloat(String value) {
    return floatActivations.contains(value);
  }

  /** @return whether the layer reads a float activation (weight-only INT8); never for a Gather, which reads indices */
  boolean floatInput(Graph g, String node) {
    Node n = g.node(node).orElseThrow();
    return !n.opType().equals("Gather") && isFloat(n.input(0));
  }

  Int8Settings get(String node) {
    return settings.get(node);
  }

  /** @return whether the layer's weight has one scale per output channel */
  boolean perChannel(String node) {
    return settings.get(node).channelWise();
  }

  /** @return whether the layer's activation is quantized at run time: the extension, on MatMul only, unless float */
  boolean dynamic(Graph g, String node) {
    return settings.get(node).dynamic() && g.node(node).orElseThrow().opType().equals("MatMul")
        && !floatInput(g, node);
  }

  /** @return whether the weight gets one scale per row: per channel, or dynamic (MatMulInteger's per-column scale) */
  boolean perRow(Graph g, String node) {
    return perChannel(node) || dynamic(g, node);
  }

  /** Falls back to one weight scale for a per-channel layer (when the opset cannot carry per-axis scales). */
  void perTensor(String node) {
    Int8Settings s = settings.get(node);
    settings.put(node, new Int8Settings(s.weightAlgo(), false, s.clip(), s.fixedMin(), s.batchNum(), s.fp16Scale(),
        s.dynamic(), s.floatActivations(), s.equalization()));
  }
}
