package io.compactor.retrain;

import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.tensor.Tensor;
import java.util.Arrays;
import java.util.Optional;

/**
 * A 2-D ConvTranspose with group 1, weight {@code [Cin, Cout, kH, kW]}, explicit pads. Rows are output
 * positions; the patch of an output position gathers, per kernel tap, the input pixel that the
 * transposed convolution scatters onto it (zero where the stride skips it).
 */
final class ConvTransposeLayer extends LinearLayer {
  private final int cin;
  private final int cout;
  private final ConvGeometry geometry;

  ConvTransposeLayer(String model, Graph graph, Node node) {
    super(model, node, inputBias(graph, node, 1));
    long[] s = graph.initializerShape(node.input(1)).orElseThrow();
    this.cin = (int) s[0];
    this.cout = (int) s[1];
    this.geometry = ConvGeometry.of(node, s[2], s[3]);
  }

  static Optional<String> unsupported(Graph graph, Node node, long[] shape) {
    if (shape.length != 4) {
      return Optional.of("ConvTranspose with a " + (shape.length - 2) + "-D kernel " + Arrays.toString(shape)
          + "; only 2-D kernels are supported");
    }
    long group = node.attrInt("group", 1);
    if (group != 1) {
      return Optional.of("grouped transposed convolution (group = " + group + "); only group = 1 is supported");
    }
    Optional<String> attrs = ConvGeometry.unsupported(node, true);
    return attrs.isPresent() ? attrs : unsupportedBias(graph, node, shape[1]);
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
    return "convT " + cin + " " + geometry.signature();
  }

  @Override
  DMatrix toMatrix(float[] w) {
    int taps = positions();
    DMatrix m = DMatrix.zeros(cout, taps * cin);
    double[] d = m.data();
    for (int c = 0; c < cin; c++) {
      for (int o = 0; o < cout; o++) {
        for (int p = 0; p < taps; p++) {
          d[o * taps * cin + p * cin + c] = w[(c * cout + o) * taps + p];
        }
      }
    }
    return m;
  }

  @Override
  float[] fromMatrix(DMatrix m) {
    int taps = positions();
    float[] w = new float[cin * cout * taps];
    double[] d = m.data();
    for (int c = 0; c < cin; c++) {
      for (int o = 0; o < cout; o++) {
        for (int p = 0; p < taps; p++) {
          w[(c * cout + o) * taps + p] = (float) d[o * taps * cin + p * cin + c];
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
    float[] x = input.floats();
    int n = (int) input.dim(0);
    int h = (int) input.dim(2);
    int w = (int) input.dim(3);
    int[] o = geometry.transposeOutput(h, w);
    int outH = o[0];
    int outW = o[1];
    int kh = geometry.kernelH();
    int kw = geometry.kernelW();
    int sh = geometry.strideH();
    int sw = geometry.strideW();
    int cols = inFeatures();
    return new RowSource() {
      @Override
      public int rows() {
        return n * outH * outW;
      }

      @Override
      public int cols() {
        return cols;
      }

      @Override
      public void fill(int from, int count, float[] dst) {
        Arrays.fill(dst, 0, count * cols, 0f);
        for (int k = 0; k < count; k++) {
          int r = from + k;
          int b = r / (outH * outW);
          int oy = r / outW % outH;
          int ox = r % outW;
          for (int i = 0; i < kh; i++) {
            int ny = oy + o[2] - i * geometry.dilationH();
            if (ny < 0 || ny % sh != 0 || ny / sh >= h) {
              continue;
            }
            int iy = ny / sh;
            for (int j = 0; j < kw; j++) {
              int nx = ox + o[3] - j * geometry.dilationW();
              if (nx < 0 || nx % sw != 0 || nx / sw >= w) {
                continue;
              }
              int dstBase = k * cols + (i * kw + j) * cin;
              int srcBase = (b * cin * h + iy) * w + nx / sw;
              for (int c = 0; c < cin; c++) {
                dst[dstBase + c] = x[srcBase + c * h * w];
              }
            }
          }
        }
      }
    };
  }

  @Override
  public RowSource outputRows(Tensor output) {
    return channelsLast(output, cout);
  }
}
