package io.compactor.bundle.quantint8;

import io.compactor.api.Eligibility;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.tensor.ElementType;
import io.compactor.onnx.tensor.Tensor;
import io.compactor.retrain.Int8WeightOps;
import java.util.Arrays;
import java.util.Optional;

/**
 * Embedding tables: a {@code Gather} whose data (input 0) is a constant float matrix {@code [rows, width]},
 * read along axis 0. The table goes onto a symmetric int8 grid with one scale per column (the embedding
 * dimension) or one for the table, by its largest magnitude: no calibration data is needed, and no row is
 * clipped (a rare token's embedding is as exact as a frequent one's). In the deploy model the Gather reads the
 * int8 table and a {@code DequantizeLinear} follows it, the form of ONNX Runtime's own quantized embeddings,
 * so only the gathered rows are dequantized: per axis on the last axis of the Gather's output from opset 13,
 * below that a DequantizeLinear with scale 1 and a Mul by the column scales (no opset upgrade needed). The
 * fake-quant table holds {@code code × scale} in float, the very products the DequantizeLinear computes.
 */
final class EmbeddingTable {
  static final String OP_TYPE = "Gather";

  private EmbeddingTable() {}

  /** @return eligible, or why the Gather's table cannot be quantized */
  static Eligibility check(Graph graph, Node node) {
    if (!node.opType().equals(OP_TYPE) || !node.domain().isEmpty() || node.inputs().size() < 2) {
      return Eligibility.ineligible("not a Gather of the ONNX domain with data and indices");
    }
    String table = node.input(0);
    if (!graph.isConstant(table)) {
      return Eligibility.ineligible("Gather's data input " + table + " is not a constant initializer; only embedding "
          + "tables (constant data) are quantized");
    }
    if (graph.initializerTypeCode(table) != ElementType.FLOAT.onnxCode()) {
      return Eligibility.ineligible("table " + table + " is " + ElementType.onnxName(graph.initializerTypeCode(table))
          + ", not FLOAT");
    }
    long[] shape = graph.initializerShape(table).orElseThrow();
    if (shape.length != 2) {
      return Eligibility.ineligible("table " + table + " has shape " + Arrays.toString(shape)
          + "; an embedding table [rows, width] of rank 2 is required");
    }
    long axis = node.attrInt("axis", 0);
    if (axis != 0 && axis != -2) {
      return Eligibility.ineligible("Gather reads table " + table + " along axis " + axis + "; only row lookups "
          + "(axis 0) are quantized");
    }
    if (graph.consumers(table).size() > 1) {
      return Eligibility.ineligible("table " + table + " is shared with " + graph.consumers(table).stream()
          .filter(n -> n != node).map(Node::name).toList() + "; quantizing it for one node would change the others");
    }
    if (graph.isConstant(node.input(1))) {
      return Eligibility.ineligible("indices " + node.input(1) + " are constant, so the Gather is a constant");
    }
    return Eligibility.ELIGIBLE;
  }

  /**
   * Puts the table on its grid in the fake-quant graph.
   *
   * @param perColumn one scale per column (embedding dimension); false: one for the table
   * @return the layer for the export and the training form
   */
  static QuantizedLayer quantize(Graph g, Node node, boolean perColumn) {
    String table = node.input(0);
    Tensor t = g.initializer(table).orElseThrow();
    int rows = Math.toIntExact(t.dim(0));
    int cols = Math.toIntExact(t.dim(1));
    float[] v = t.floats();
    double[] max = new double[perColumn ? cols : 1];
    for (int i = 0; i < v.length; i++) {
      int c = perColumn ? i % cols : 0;
      max[c] = Math.max(max[c], Math.abs(v[i]));
    }
    int qmax = Int8WeightOps.QMAX;
    double[] scales = new double[max.length];
    for (int c = 0; c < max.length; c++) {
      // the scale as the deploy model stores it (float), so code × scale is the same product in both models
      scales[c] = (float) (max[c] > 0 ? max[c] / qmax : 1.0);
    }
    float[] snapped = new float[v.length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        int i = r * cols + c;
        float s = (float) scales[perColumn ? c : 0];
        snapped[i] = Int8WeightOps.code(v[i], s, qmax) * s;
      }
    }
    g.setInitializer(table, Tensor.ofFloats(t.shape(), snapped));
    return new QuantizedLayer(node.name(), table, perColumn ? 1 : -1, scales, QuantizedLayer.Input.FLOAT,
        java.util.OptionalDouble.empty(), Optional.empty());
  }
}
