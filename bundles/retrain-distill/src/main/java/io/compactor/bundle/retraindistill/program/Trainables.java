package io.compactor.bundle.retraindistill.program;

import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.graph.OnnxModel;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** Which initializers of a model are weights to train, by default. */
public final class Trainables {
  /** Inputs that are statistics or quantization grid, never trained by default: op type to input positions. */
  private static final Map<String, Set<Integer>> HELD = Map.of(
      "BatchNormalization", Set.of(3, 4),
      "QuantizeLinear", Set.of(1, 2),
      "DequantizeLinear", Set.of(1, 2));

  private Trainables() {}

  /**
   * @return the FLOAT initializers with more than one element (weights, biases, embeddings, norm scales),
   *     after Constant nodes become initializers; scalars (epsilons, constants of decomposed operators),
   *     batch-norm statistics and quantization scales and zero points are held
   */
  public static Set<String> weights(OnnxModel model) {
    OnnxModel copy = model.copy();
    Graph g = copy.graph();
    g.normalizeConstants();
    Set<String> held = new HashSet<>();
    for (Node n : g.nodes()) {
      for (int i : HELD.getOrDefault(n.opType(), Set.of())) {
        held.add(n.input(i));
      }
    }
    Set<String> result = new LinkedHashSet<>();
    for (String name : g.initializerNames()) {
      if (g.initializerTypeCode(name) == 1 && !held.contains(name) && elements(g, name) > 1) {
        result.add(name);
      }
    }
    return result;
  }

  private static long elements(Graph g, String name) {
    long n = 1;
    for (long d : g.initializerShape(name).orElseThrow()) {
      n *= d;
    }
    return n;
  }
}
