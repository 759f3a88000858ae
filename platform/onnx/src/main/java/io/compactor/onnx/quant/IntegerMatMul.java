package io.compactor.onnx.quant;

import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.tensor.Tensor;
import java.util.List;
import java.util.Optional;

/**
 * A MatMul in ONNX's integer form: {@code MatMulInteger} of uint8 activation codes and int8 weight codes, a
 * {@code Cast} to float and a {@code Mul} by {@code input scale × weight scales} (the form of ONNX Runtime's own
 * dynamic quantization). ONNX Runtime runs it as one {@code MatMulIntegerToFloat}, and takes a bias {@code Add}
 * that is the product's only reader into that node when the bias is the Add's second input. From the QDQ form it
 * fuses the product but leaves that {@code Add} a node of its own: one more pass over the output per layer.
 */
public final class IntegerMatMul {
  /**
   * A uint8 activation as the form reads it.
   *
   * @param codes the uint8 codes
   * @param scale its scale as a value computed at run time (dynamic quantization's, or {@link #runTimeScale})
   * @param zeroPoint its uint8 zero point
   */
  public record Input(String codes, String scale, String zeroPoint) {}

  private IntegerMatMul() {}

  /**
   * @return the {@code Add} of an initializer that is the only reader of {@code value}, when {@code value} is not a
   *     graph output: a bias the fused node can take
   */
  public static Optional<Node> biasAdd(Graph g, String value) {
    List<Node> readers = g.consumers(value);
    return readers.size() == 1 && readers.get(0).opType().equals("Add")
        && g.outputs().stream().noneMatch(o -> o.name().equals(value))
        && readers.get(0).inputs().stream().anyMatch(g::hasInitializer) ? Optional.of(readers.get(0))
        : Optional.empty();
  }

  /**
   * A constant activation scale as a value computed at run time: a {@code DequantizeLinear} of the unit code,
   * which is exactly the scale. ONNX Runtime folds a product of two constant scales into one constant before its
   * fusions run, and then no longer recognizes the form with a bias as one node. One per scale, shared by its
   * readers.
   *
   * @param after a node that runs before every reader of the scale
   * @param scale the scalar float initializer
   * @return the run-time value
   */
  public static String runTimeScale(Graph g, Node after, String scale) {
    String runTime = scale + "_at_run_time";
    if (g.producer(runTime).isEmpty()) {
      String unit = g.uniqueValueName(scale + "_unit_code");
      String zero = g.uniqueValueName(scale + "_zero_code");
      g.setInitializer(unit, Tensor.ofUint8s(new long[0], (byte) 1));
      g.setInitializer(zero, Tensor.ofUint8s(new long[0], (byte) 0));
      g.insertAfter(after, Node.create("DequantizeLinear", g.uniqueNodeName(runTime), List.of(unit, scale, zero),
          List.of(runTime)));
    }
    return runTime;
  }

  /**
   * Replaces {@code matMul} by the integer form with the same output. The {@code MatMulInteger} keeps the layer's
   * name, so a check that finds the layer by name (the 2:4 proof) reads its int8 codes. A bias {@code Add} that
   * reads the output with the bias first gets its inputs swapped.
   *
   * @param in the uint8 activation
   * @param weightCodes an int8 initializer {@code [K, N]} (zero point 0)
   * @param weightScale a scalar float initializer, or one scale per column {@code [N]}
   */
  public static void replace(Graph g, Node matMul, Input in, String weightCodes, String weightScale) {
    String base = matMul.name();
    String acc = g.uniqueValueName(base + "_int32");
    String asFloat = g.uniqueValueName(base + "_int32_float");
    String combined = g.uniqueValueName(base + "_output_scale");
    Node cast = Node.create("Cast", g.uniqueNodeName(base + "_Cast"), List.of(acc), List.of(asFloat));
    cast.setAttr("to", 1L);
    g.insertBefore(matMul, cast);
    g.insertBefore(matMul, Node.create("Mul", g.uniqueNodeName(base + "_output_scale"),
        List.of(in.scale(), weightScale), List.of(combined)));
    g.insertBefore(matMul, Node.create("Mul", g.uniqueNodeName(base + "_rescale"), List.of(asFloat, combined),
        List.of(matMul.output(0))));
    g.removeNode(matMul);
    g.insertBefore(cast, Node.create("MatMulInteger", base, List.of(in.codes(), weightCodes, in.zeroPoint()),
        List.of(acc)));
    biasAdd(g, matMul.output(0)).filter(add -> g.hasInitializer(add.input(0))).ifPresent(add -> {
      String bias = add.input(0);
      add.setInput(0, add.input(1));
      add.setInput(1, bias);
    });
  }
}
