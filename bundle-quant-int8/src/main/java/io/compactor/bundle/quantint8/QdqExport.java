package io.compactor.bundle.quantint8;

import io.compactor.onnx.ModelException;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.quant.IntegerMatMul;
import io.compactor.onnx.tensor.Tensor;
import io.compactor.retrain.Int8WeightOps;
import java.util.Collection;
import java.util.List;

/**
 * Turns the fake-quant model into the deploy model: each quantized weight becomes an int8 initializer
 * behind a {@code DequantizeLinear} (per-axis scales where per-channel), each int32-snapped bias an int32
 * initializer behind one, so ONNX Runtime's QDQ fusion runs the layer with its INT8 kernels. A MatMul with
 * dynamic activations, and one with static activations whose output goes to a bias {@code Add}, becomes
 * {@code MatMulInteger} on the uint8 activation, a Cast and a Mul by {@code input scale × weight scales}, the
 * form of ONNX Runtime's own dynamic quantization, which it runs as one node with the bias. An embedding
 * table's Gather reads the int8 table and is followed by the {@code DequantizeLinear} ({@link EmbeddingTable}).
 * The activation QuantizeLinear/DequantizeLinear pairs carry over unchanged, so both models compute the same
 * numbers.
 */
final class QdqExport {
  /** The opset from which DequantizeLinear takes one scale per slice of an axis. */
  static final long PER_AXIS_OPSET = 13;

  private QdqExport() {}

  /**
   * @param fakeQuant the fake-quant model; not modified
   * @param layers the quantized layers
   * @return a new model in QDQ form
   */
  static OnnxModel export(OnnxModel fakeQuant, Collection<QuantizedLayer> layers) {
    OnnxModel deploy = fakeQuant.copy(fakeQuant.source() + " (INT8 QDQ)");
    Graph g = deploy.graph();
    for (QuantizedLayer l : layers) {
      Node node = g.node(l.node()).orElseThrow(() -> new ModelException(deploy.source(), l.node(),
          "quantized node disappeared before export"));
      String codes = int8Weight(g, l);
      if (node.opType().equals(EmbeddingTable.OP_TYPE)) {
        gatherThenDequantize(g, node, codes, l, deploy.opset() >= PER_AXIS_OPSET);
      } else if (l.dynamic()) {
        integerMatMul(g, node, codes, l, dynamicInput(deploy, node));
      } else if (l.input() == QuantizedLayer.Input.STATIC && biasFusable(g, node)) {
        integerMatMul(g, node, codes, l, staticInput(g, node));
      } else {
        String scale = scaleTensor(g, l.weight() + "_scale", l.scales(), l.axis());
        String zp = g.uniqueValueName(l.weight() + "_zero_point");
        g.setInitializer(zp, l.axis() < 0 ? Tensor.ofInt8s(new long[0], (byte) 0)
            : Tensor.ofInt8s(new long[] {l.scales().length}, new byte[l.scales().length]));
        String out = g.uniqueValueName(l.weight() + "_dequantized");
        Node dq = Node.create("DequantizeLinear", g.uniqueNodeName(l.weight() + "_DequantizeLinear"),
            List.of(codes, scale, zp), List.of(out));
        if (l.axis() >= 0) {
          dq.setAttr("axis", (long) l.axis());
        }
        g.insertBefore(node, dq);
        node.setInput(1, out);
        l.biasScales().ifPresent(bs -> int32Bias(g, node, bs));
      }
    }
    g.removeUnused();
    return deploy;
  }

  /**
   * Gather on the int8 table, then DequantizeLinear of the gathered rows. Per-column scales sit on the last
   * axis of the gathered rows: from opset 13 one per-axis DequantizeLinear, before it a DequantizeLinear with
   * scale 1 (the codes as floats, exactly) and a Mul by the column scales, the same products.
   */
  private static void gatherThenDequantize(Graph g, Node node, String codes, QuantizedLayer l, boolean perAxis) {
    String out = node.output(0);
    String gathered = g.uniqueValueName(out + "_quantized");
    boolean columns = l.axis() >= 0;
    String scale = columns && !perAxis ? g.uniqueValueName(l.weight() + "_unit_scale")
        : scaleTensor(g, l.weight() + "_scale", l.scales(), l.axis());
    if (columns && !perAxis) {
      g.setInitializer(scale, Tensor.scalar(1f));
    }
    String zp = g.uniqueValueName(l.weight() + "_zero_point");
    g.setInitializer(zp, !columns || !perAxis ? Tensor.ofInt8s(new long[0], (byte) 0)
        : Tensor.ofInt8s(new long[] {l.scales().length}, new byte[l.scales().length]));
    node.setInput(0, codes);
    node.setOutput(0, gathered);
    String dequantized = columns && !perAxis ? g.uniqueValueName(out + "_codes") : out;
    Node dq = Node.create("DequantizeLinear", g.uniqueNodeName(out + "_DequantizeLinear"),
        List.of(gathered, scale, zp), List.of(dequantized));
    if (columns && perAxis) {
      dq.setAttr("axis", -1L);
    }
    g.insertAfter(node, dq);
    if (columns && !perAxis) {
      String columnScales = scaleTensor(g, l.weight() + "_scale", l.scales(), l.axis());
      g.insertAfter(dq, Node.create("Mul", g.uniqueNodeName(out + "_column_scales"),
          List.of(dequantized, columnScales), List.of(out)));
    }
  }

  private static String int8Weight(Graph g, QuantizedLayer l) {
    Tensor w = g.initializer(l.weight()).orElseThrow();
    float[] v = w.floats();
    byte[] q;
    if (l.axis() >= 0) {
      q = new ChannelView(w.shape(), l.axis()).codes(v, l.scales(), l.qmax());
    } else {
      q = new byte[v.length];
      for (int i = 0; i < v.length; i++) {
        q[i] = (byte) Int8WeightOps.code(v[i], l.scales()[0], l.qmax());
      }
    }
    String name = g.uniqueValueName(l.weight() + "_quantized");
    g.setInitializer(name, Tensor.ofInt8s(w.shape(), q));
    return name;
  }

  private static String scaleTensor(Graph g, String base, double[] scales, int axis) {
    String name = g.uniqueValueName(base);
    float[] f = new float[scales.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) scales[i];
    }
    g.setInitializer(name, axis < 0 && f.length == 1 ? Tensor.scalar(f[0]) : Tensor.ofFloats(new long[] {f.length}, f));
    return name;
  }

  private static void int32Bias(Graph g, Node node, double[] scales) {
    String b = node.input(2);
    float[] v = g.initializer(b).orElseThrow().toFloats();
    int[] q = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      q[i] = (int) Math.rint(v[i] / scales[scales.length == 1 ? 0 : i]);
    }
    String codes = g.uniqueValueName(b + "_quantized");
    g.setInitializer(codes, Tensor.ofInt32s(g.initializerShape(b).orElseThrow(), q));
    String scale = scaleTensor(g, b + "_scale", scales, scales.length == 1 ? -1 : 0);
    String zp = g.uniqueValueName(b + "_zero_point");
    g.setInitializer(zp, scales.length == 1 ? Tensor.ofInt32s(new long[0], 0)
        : Tensor.ofInt32s(new long[] {scales.length}, new int[scales.length]));
    String out = g.uniqueValueName(b + "_dequantized");
    Node dq = Node.create("DequantizeLinear", g.uniqueNodeName(b + "_DequantizeLinear"), List.of(codes, scale, zp),
        List.of(out));
    if (scales.length > 1) {
      dq.setAttr("axis", 0L);
    }
    g.insertBefore(node, dq);
    node.setInput(2, out);
  }

  /**
   * Whether the layer is a static MatMul whose output only feeds an {@code Add} of a constant bias: written as
   * {@code MatMulInteger} instead of QDQ, ONNX Runtime runs the product and the bias as one
   * {@code MatMulIntegerToFloat} node; from QDQ it fuses the product but leaves the {@code Add} a node of its own
   * (a pass over the output per layer; all-MiniLM-L6-v2 with every MatMul static: 1.11 → 1.01 times
   * {@code -q}'s time, docs/quant-int8.md).
   */
  private static boolean biasFusable(Graph g, Node node) {
    boolean perTensorInput = g.producer(node.input(0)).filter(p -> p.opType().equals("DequantizeLinear")
        && p.inputs().size() == 3 && g.initializerShape(p.input(1)).map(s -> s.length == 0).orElse(false))
        .isPresent();
    return node.opType().equals("MatMul") && perTensorInput && IntegerMatMul.biasAdd(g, node.output(0)).isPresent();
  }

  private static IntegerMatMul.Input dynamicInput(OnnxModel model, Node node) {
    Node dq = model.graph().producer(node.input(0)).filter(p -> p.opType().equals("DequantizeLinear"))
        .orElseThrow(() -> new ModelException(model.source(), node.name(), "a dynamically quantized MatMul must "
            + "read a DequantizeLinear of a DynamicQuantizeLinear, got input " + node.input(0)));
    return new IntegerMatMul.Input(dq.input(0), dq.input(1), dq.input(2));
  }

  /** The static input: its QuantizeLinear's codes, its constant scale as a run-time value, its zero point. */
  private static IntegerMatMul.Input staticInput(Graph g, Node node) {
    Node dq = g.producer(node.input(0)).orElseThrow();
    return new IntegerMatMul.Input(dq.input(0), IntegerMatMul.runTimeScale(g, dq, dq.input(1)), dq.input(2));
  }

  /** The layer in ONNX's integer form ({@link IntegerMatMul}), its weight scales one per column or one in all. */
  private static void integerMatMul(Graph g, Node node, String codes, QuantizedLayer l, IntegerMatMul.Input in) {
    IntegerMatMul.replace(g, node, in, codes, scaleTensor(g, l.weight() + "_scale", l.scales(), -1));
  }
}
