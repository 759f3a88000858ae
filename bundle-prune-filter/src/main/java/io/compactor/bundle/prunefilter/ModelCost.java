package io.compactor.bundle.prunefilter;

import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.runtime.ActivationCapture;
import io.compactor.onnx.runtime.Dataset;
import io.compactor.onnx.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The size of a model: parameters (elements of every initializer), serialized bytes, and multiply-adds per
 * sample of its Conv, ConvTranspose, Gemm and MatMul nodes, measured by running one sample through ONNX
 * Runtime to learn the output shapes.
 *
 * @param parameters elements of all initializers
 * @param bytes the serialized model's size
 * @param macs multiply-adds per sample of the linear nodes
 * @param macsPerNode the same per node name
 */
record ModelCost(long parameters, long bytes, long macs, Map<String, Long> macsPerNode) {
  ModelCost {
    macsPerNode = Map.copyOf(macsPerNode);
  }

  /**
   * @param model the model; not modified
   * @param sample data whose first sample is run
   */
  static ModelCost of(OnnxModel model, Dataset sample) {
    Graph g = model.graph();
    long params = 0;
    for (String name : g.initializerNames()) {
      params += Tensor.elementCount(g.initializerShape(name).orElseThrow());
    }
    List<Node> linear = g.nodes().stream().filter(n -> n.domain().isEmpty() && n.inputs().size() > 1
        && g.isConstant(n.input(1)) && List.of("Conv", "ConvTranspose", "Gemm", "MatMul").contains(n.opType()))
        .toList();
    List<String> values = new ArrayList<>();
    linear.forEach(n -> {
      values.add(n.opType().equals("ConvTranspose") ? n.input(0) : n.output(0));
    });
    Map<String, Tensor> shapes = values.isEmpty() ? Map.of()
        : ActivationCapture.capture(model, values.stream().distinct().toList(), sample.limit(1), 1);
    Map<String, Long> perNode = new LinkedHashMap<>();
    long total = 0;
    for (Node n : linear) {
      long[] w = g.initializerShape(n.input(1)).orElseThrow();
      Tensor t = shapes.get(n.opType().equals("ConvTranspose") ? n.input(0) : n.output(0));
      long macs = switch (n.opType()) {
        // each output element of a Conv reads one filter: W[cout, cin/group, k...] / cout
        case "Conv" -> t.size() * (Tensor.elementCount(w) / w[0]);
        // each input element of a ConvTranspose spreads over cout/group × k... outputs
        case "ConvTranspose" -> t.size() * (Tensor.elementCount(w) / w[0]);
        case "Gemm" -> t.size() * (n.attrInt("transB", 0) != 0 ? w[1] : w[0]);
        default -> t.size() * w[0];
      };
      perNode.put(n.name(), macs);
      total += macs;
    }
    return new ModelCost(params, model.toBytes().length, total, perNode);
  }
}
