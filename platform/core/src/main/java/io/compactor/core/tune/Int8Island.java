package io.compactor.core.tune;

import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.quant.IntegerMatMul;
import io.compactor.onnx.tensor.ElementType;
import io.compactor.onnx.tensor.Tensor;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The original model with one operator in the QDQ form the INT8 bundle exports, for timing only: its input
 * through {@code QuantizeLinear → DequantizeLinear} (UINT8), its weight an int8 initializer behind a
 * {@code DequantizeLinear}, a Conv's bias an int32 one, and its output (past a BatchNormalization, dropped as the
 * bundle folds it, and a Relu that is its only reader) quantized again, so ONNX Runtime fuses it into
 * {@code QLinearConv} / {@code QLinearMatMul} / {@code QGemm} as it does the bundle's. A MatMul whose only reader is
 * a bias {@code Add} takes the integer form the bundle exports for it instead ({@link IntegerMatMul}: uint8 codes
 * of the input into {@code MatMulInteger}, the output float), which ONNX Runtime runs as one
 * {@code MatMulIntegerToFloat} with the bias. What the island costs or
 * saves against the original is its INT8 kernel less the quantize and dequantize passes and layout changes around
 * it, which is what decides whether INT8 pays on that operator. The scales are placeholders (one per tensor, the
 * values do not change ONNX Runtime's speed): the island is timed, never evaluated.
 */
final class Int8Island {
  /** QuantizeLinear and DequantizeLinear need opset 10. */
  static final long MIN_OPSET = 10;
  /**
   * Operators whose form changed at opset 10 that the island does not rewrite: an older model holding one has no
   * island. (Slice is rewritten: its attributes become inputs, as the bundle's opset upgrade does.)
   */
  private static final Set<String> CHANGED_AT_10 = Set.of("TopK", "Upsample");
  private static final float ACTIVATION_SCALE = 1f / 32;
  private static final byte ACTIVATION_ZERO = (byte) 128;

  private Int8Island() {}

  /**
   * @param model the original model, constants as initializers; not changed
   * @param op an INT8-capable Conv, Gemm or MatMul (embedding tables have no island: they read indices)
   * @return the copy with that operator in INT8 (an opset below 10 raised to 10, as the bundle raises it); empty
   *     when the opset cannot be raised without rewriting an operator, or the weight is not a float initializer
   */
  static Optional<OnnxModel> of(OnnxModel model, Operator op) {
    boolean raise = model.opset() < MIN_OPSET;
    if (op.table() || raise && model.graph().nodes().stream().anyMatch(n -> CHANGED_AT_10.contains(n.opType()))) {
      return Optional.empty();
    }
    OnnxModel copy = model.copy(model.source() + " (" + op.node() + " int8, timing stand-in)");
    if (raise) {
      copy.graph().nodes().stream().filter(n -> n.opType().equals("Slice")).forEach(n -> sliceInputs(copy.graph(), n));
      copy.setOpset("", MIN_OPSET);
    }
    Graph g = copy.graph();
    Node node = g.node(op.node()).orElseThrow();
    int wi = Operators.weightInput(op.opType());
    Optional<Tensor> weight = g.initializer(node.input(wi));
    if (weight.isEmpty() || weight.get().type() != ElementType.FLOAT) {
      return Optional.empty();
    }
    if (op.opType().equals("MatMul") && IntegerMatMul.biasAdd(g, node.output(0)).isPresent()) {
      integerForm(g, node, weight.get());
    } else {
      qdqForm(g, node, wi, weight.get());
    }
    g.removeUnused();  // the float weight and a dropped BatchNormalization's parameters
    return Optional.of(copy);
  }

  /** Input, weight and a Conv's bias through DequantizeLinear, the output quantized again for the readers. */
  private static void qdqForm(Graph g, Node node, int weightInput, Tensor weight) {
    float weightScale = weightCodes(g, node, weightInput, weight);
    if (node.opType().equals("Conv") && node.inputs().size() > 2 && !node.input(2).isEmpty()) {
      g.initializer(node.input(2)).ifPresent(b -> int32Bias(g, node, b, ACTIVATION_SCALE * weightScale));
    }
    node.setInput(0, quantized(g, node.input(0), node, List.of(node)));
    String out = output(g, node);
    List<Node> readers = g.consumers(out);
    if (!readers.isEmpty() && !isOutput(g, out)) {
      Node producer = g.producer(out).orElseThrow();
      quantized(g, out, producer, readers);
    }
  }

  /** The MatMul as the bundle exports one that feeds a bias: its input quantized, the product in integers. */
  private static void integerForm(Graph g, Node node, Tensor weight) {
    Int8Weight w = int8Weight(g, node.input(1), weight);
    String weightScale = g.uniqueValueName(w.codes() + "_scale");
    g.setInitializer(weightScale, Tensor.scalar(w.scale()));
    Node quantize = quantizeLinear(g, node.input(0));
    g.insertBefore(node, quantize);
    IntegerMatMul.Input in = new IntegerMatMul.Input(quantize.output(0),
        IntegerMatMul.runTimeScale(g, quantize, quantize.input(1)), quantize.input(2));
    IntegerMatMul.replace(g, node, in, w.codes(), weightScale);
  }

  /** The weight as int8 codes on one symmetric scale, behind a DequantizeLinear; @return that scale */
  private static float weightCodes(Graph g, Node node, int input, Tensor w) {
    Int8Weight codes = int8Weight(g, node.input(input), w);
    node.setInput(input, dequantized(g, node, codes.codes(), codes.scale(), Tensor.ofInt8s(new long[0], (byte) 0)));
    return codes.scale();
  }

  /** An int8 initializer and its one symmetric scale. */
  private record Int8Weight(String codes, float scale) {}

  private static Int8Weight int8Weight(Graph g, String base, Tensor w) {
    float[] v = w.toFloats();
    float max = 0;
    for (float x : v) {
      max = Math.max(max, Math.abs(x));
    }
    float scale = max == 0 ? 1 : max / 127;
    byte[] codes = new byte[v.length];
    for (int i = 0; i < v.length; i++) {
      codes[i] = (byte) Math.max(-127, Math.min(127, Math.round(v[i] / scale)));
    }
    String name = g.uniqueValueName(base + "_int8");
    g.setInitializer(name, Tensor.ofInt8s(w.shape(), codes));
    return new Int8Weight(name, scale);
  }

  private static void int32Bias(Graph g, Node node, Tensor bias, float scale) {
    float[] v = bias.toFloats();
    int[] codes = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      codes[i] = Math.round(v[i] / scale);
    }
    String name = g.uniqueValueName(node.input(2) + "_int32");
    g.setInitializer(name, Tensor.ofInt32s(bias.shape(), codes));
    node.setInput(2, dequantized(g, node, name, scale, Tensor.ofInt32s(new long[0], 0)));
  }

  private static String dequantized(Graph g, Node before, String codes, float scale, Tensor zero) {
    String s = g.uniqueValueName(codes + "_scale");
    String z = g.uniqueValueName(codes + "_zero_point");
    g.setInitializer(s, Tensor.scalar(scale));
    g.setInitializer(z, zero);
    String out = g.uniqueValueName(codes + "_dequantized");
    g.insertBefore(before, Node.create("DequantizeLinear", g.uniqueNodeName(codes + "_DequantizeLinear"),
        List.of(codes, s, z), List.of(out)));
    return out;
  }

  /**
   * {@code value → QuantizeLinear → DequantizeLinear}, read by {@code readers} instead of {@code value}.
   *
   * @param anchor the node the pair goes after (the producer), or before when it reads the value itself
   */
  private static String quantized(Graph g, String value, Node anchor, List<Node> readers) {
    Node quantize = quantizeLinear(g, value);
    String dq = g.uniqueValueName(value + "_fakequant");
    Node dequantize = Node.create("DequantizeLinear", g.uniqueNodeName(value + "_DequantizeLinear"),
        List.of(quantize.output(0), quantize.input(1), quantize.input(2)), List.of(dq));
    boolean reads = anchor.inputs().contains(value) && readers.contains(anchor);
    if (reads) {
      g.insertBefore(anchor, quantize);
    } else {
      g.insertAfter(anchor, quantize);
    }
    g.insertAfter(quantize, dequantize);
    for (Node n : readers) {
      List<String> in = n.inputs();
      for (int i = 0; i < in.size(); i++) {
        if (in.get(i).equals(value)) {
          n.setInput(i, dq);
        }
      }
    }
    return dq;
  }

  /** @return a {@code QuantizeLinear} of {@code value} to uint8 with the placeholder scale, not yet in the graph */
  private static Node quantizeLinear(Graph g, String value) {
    String s = g.uniqueValueName(value + "_scale");
    String z = g.uniqueValueName(value + "_zero_point");
    g.setInitializer(s, Tensor.scalar(ACTIVATION_SCALE));
    g.setInitializer(z, Tensor.ofUint8s(new long[0], ACTIVATION_ZERO));
    return Node.create("QuantizeLinear", g.uniqueNodeName(value + "_QuantizeLinear"), List.of(value, s, z),
        List.of(g.uniqueValueName(value + "_quantized")));
  }

  /**
   * @return the value the island's output quantization goes on: the node's output, past a BatchNormalization that
   *     is its only reader (dropped: the bundle folds it into the weights) and a Relu that is then the only reader
   */
  private static String output(Graph g, Node node) {
    String out = node.output(0);
    List<Node> readers = g.consumers(out);
    if (!isOutput(g, out) && readers.size() == 1 && readers.get(0).opType().equals("BatchNormalization")
        && node.opType().equals("Conv")) {
      Node bn = readers.get(0);
      out = bn.output(0);
      g.removeNode(bn);
      node.setOutput(0, out);
      readers = g.consumers(out);
    }
    if (!isOutput(g, out) && readers.size() == 1 && readers.get(0).opType().equals("Relu")) {
      return readers.get(0).output(0);
    }
    return out;
  }

  /** Slice before opset 10 holds starts, ends and axes as attributes; from 10 on as inputs. */
  private static void sliceInputs(Graph g, Node n) {
    List<String> names = List.of("starts", "ends", "axes");
    for (int i = 0; i < names.size(); i++) {
      Optional<long[]> v = n.attrInts(names.get(i));
      if (v.isPresent()) {
        String c = g.uniqueValueName(n.name() + "_" + names.get(i));
        g.setInitializer(c, Tensor.ofInt64s(new long[] {v.get().length}, v.get()));
        n.setInput(i + 1, c);
        n.removeAttr(names.get(i));
      }
    }
  }

  private static boolean isOutput(Graph g, String value) {
    return g.outputs().stream().anyMatch(v -> v.name().equals(value));
  }
}
