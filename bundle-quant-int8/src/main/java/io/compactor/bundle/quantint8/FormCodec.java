package io.compactor.bundle.quantint8;

import io.compactor.api.ActivationQuant;
import io.compactor.api.Capabilities;
import io.compactor.api.LayerQuantization;
import io.compactor.api.StepException;
import io.compactor.api.WeightGrid;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Translates between this bundle's {@link QuantizedLayer} and the SPI's {@link LayerQuantization}: the step
 * describes each quantized layer in the training form, the export reads it back from the (possibly
 * retrained) form. The activation quantization is found in the graph, in front of the layer: its
 * {@code DequantizeLinear} and the (Dynamic)QuantizeLinear feeding it.
 */
final class FormCodec {
  private FormCodec() {}

  /**
   * @param g the fake-quant graph
   * @param q a quantized layer
   * @return its description in the training form
   */
  static LayerQuantization describe(Graph g, QuantizedLayer q) {
    Node node = g.node(q.node()).orElseThrow();
    WeightGrid grid = new WeightGrid(q.axis(), q.scales(), q.qmax());
    if (q.input() == QuantizedLayer.Input.FLOAT) {
      // a Gather reads its table as input 0 and indices as input 1; other layers read the activation first
      String input = node.opType().equals("Gather") ? node.input(1) : node.input(0);
      return new LayerQuantization(q.node(), q.weight(), grid, ActivationQuant.none(input), false);
    }
    Node dq = g.producer(node.input(0)).filter(p -> p.opType().equals("DequantizeLinear"))
        .orElseThrow(() -> fail(q.node(), "its input " + node.input(0) + " is not the output of a DequantizeLinear"));
    Node quantize = g.producer(dq.input(0)).orElseThrow(() -> fail(q.node(), "no quantize node before "
        + dq.name()));
    ActivationQuant a = new ActivationQuant(quantize.input(0), quantize.name(), dq.name(), dq.input(1), dq.input(2),
        q.dynamic());
    return new LayerQuantization(q.node(), q.weight(), grid, a, q.biasScales().isPresent());
  }

  /**
   * @param g the (retrained) training form's graph
   * @param l a layer of the form
   * @return the layer for the export, its static input scale read from the model (retraining may have learned
   *     it) and its int32 bias scales derived from that
   */
  static QuantizedLayer read(Graph g, LayerQuantization l) {
    if (g.node(l.node()).isEmpty()) {
      throw fail(l.node(), "the training form names a quantized node the model does not have");
    }
    OptionalDouble inputScale = OptionalDouble.empty();
    QuantizedLayer.Input input = !l.activation().quantized() ? QuantizedLayer.Input.FLOAT
        : l.activation().dynamic() ? QuantizedLayer.Input.DYNAMIC : QuantizedLayer.Input.STATIC;
    if (input == QuantizedLayer.Input.STATIC) {
      float[] s = g.initializer(l.activation().scale()).orElseThrow(() -> fail(l.node(), "activation scale "
          + l.activation().scale() + " is not an initializer of the model")).toFloats();
      if (s.length != 1 || !(s[0] > 0)) {
        throw fail(l.node(), "activation scale " + l.activation().scale() + " must be one positive value");
      }
      inputScale = OptionalDouble.of(s[0]);
    }
    WeightGrid grid = l.grid();
    QuantizedLayer q = new QuantizedLayer(l.node(), l.weight(), grid.axis(), grid.scales(), input,
        inputScale, Optional.empty());
    if (l.int32Bias() && input == QuantizedLayer.Input.STATIC) {
      double[] w = grid.scales();
      double[] bs = new double[w.length];
      for (int i = 0; i < w.length; i++) {
        bs[i] = inputScale.orElseThrow() * w[i];
      }
      q = q.withBiasScales(bs);
    }
    if (q.qmax() != grid.qmax()) {
      throw fail(l.node(), "weight grid qmax " + grid.qmax() + " does not match a "
          + (q.dynamic() ? "dynamic" : "static") + " layer's " + q.qmax());
    }
    return q;
  }

  private static StepException fail(String node, String problem) {
    return new StepException(Capabilities.QUANT_INT8, node, "cannot export the training form: " + problem);
  }
}
