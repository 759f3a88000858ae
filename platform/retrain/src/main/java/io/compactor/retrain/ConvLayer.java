package io.compactor.retrain;

import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.tensor.Tensor;
import io.compactor.retrain.internal.ConvGeometry;
import io.compactor.retrain.internal.RowSources;
import java.util.Arrays;

/**
 * A 2-D Conv (weight {@code [Cout, Cin, kH, kW]}) or ConvTranspose (weight {@code [Cin, Cout, kH, kW]},
 * explicit pads), group 1. Rows are im2col patches of output positions ({@link ConvGeometry#patches}); for a
 * ConvTranspose the patch of an output position gathers, per kernel tap, the input pixel that the transposed
 * convolution scatters onto it (zero where the stride skips it).
 */
final class ConvLayer extends LinearLayer {
  private final boolean transposed;
  private final int cout;
  private final int cin;
  private final ConvGeometry geometry;

  ConvLayer(String model, Graph graph, Node node) {
    super(model, node, inputBias(graph, node, 1));
    long[] s = graph.initializerShape(node.input(1)).orElseThrow();
    this.geometry = ConvGeometry.of(node, s[2], s[3]);
    this.transposed = geometry.transposed();
    this.cout = (int) (transposed ? s[1] : s[0]);
    this.cin = (int) (transposed ? s[0] : s[1]);
  }

  @Override
  public int outFeatures() {
    return cout;
  }

  @Override
  public int channels() {
    return cin;
  }

  @Override
  public int positions() {
    return geometry.kernelH() * geometry.kernelW();
  }

  @Override
  public String patchSignature() {
    return (transposed ? "convT " : "conv ") + cin + " " + geometry.signature();
  }

  /** @return the index in the ONNX weight of output {@code o}, input channel {@code c}, kernel tap {@code p} */
  private int onnxIndex(int o, int c, int p) {
    return (transposed ? c * cout + o : o * cin + c) * positions() + p;
  }

  @Override
  DMatrix toMatrix(float[] w) {
    int taps = positions();
    DMatrix m = DMatrix.zeros(cout, taps * cin);
    double[] d = m.data();
    for (int o = 0; o < cout; o++) {
      for (int c = 0; c < cin; c++) {
        for (int p = 0; p < taps; p++) {
          d[o * taps * cin + p * cin + c] = w[onnxIndex(o, c, p)];
        }
      }
    }
    return m;
  }

  @Override
  float[] fromMatrix(DMatrix m) {
    int taps = positions();
    float[] w = new float[cout * cin * taps];
    double[] d = m.data();
    for (int o = 0; o < cout; o++) {
      for (int c = 0; c < cin; c++) {
        for (int p = 0; p < taps; p++) {
          w[onnxIndex(o, c, p)] = (float) d[o * taps * cin + p * cin + c];
        }
      }
    }
    return w;
  }

  @Override
  String createBias(Graph graph) {
    String name = graph.uniqueValueName(node.name() + ".bias");
    node.setInput(2, name);
    graph.setInitializer(name, Tensor.ofFloats(new long[] {cout}, new float[cout]));
    return name;
  }

  @Override
  public RowSource inputRows(Tensor input) {
    if (input.rank() != 4 || input.dim(1) != cin) {
      throw new IllegalArgumentException(node.name() + ": input must be NCHW with C = " + cin + ", got "
          + Arrays.toString(input.shape()));
    }
    return geometry.patches(input, cin);
  }

  @Override
  public RowSource outputRows(Tensor output) {
    return RowSources.channelsLast(output, cout);
  }
}
