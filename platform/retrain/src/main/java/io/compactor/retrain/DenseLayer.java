package io.compactor.retrain;

import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.tensor.Tensor;
import io.compactor.retrain.internal.RowSources;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Gemm ({@code Y = alpha · A' · B' + beta · C}) and MatMul with a constant {@code B[K, N]}: one row per
 * sample (MatMul inputs of any rank flattened to {@code [M, K]}). A MatMul's bias is the constant
 * operand of an {@code Add} that is its only consumer.
 */
final class DenseLayer extends LinearLayer {
  private final boolean gemm;
  private final boolean transA;
  private final boolean transB;
  private final double alpha;
  private final int in;
  private final int out;
  private final String addOutput;

  DenseLayer(String model, Graph graph, Node node) {
    super(model, node, biasOf(graph, node));
    this.gemm = node.opType().equals("Gemm");
    this.transA = gemm && node.attrInt("transA", 0) != 0;
    this.transB = gemm && node.attrInt("transB", 0) != 0;
    this.alpha = gemm ? node.attrFloat("alpha", 1f) : 1;
    long[] s = graph.initializerShape(node.input(1)).orElseThrow();
    this.in = (int) (transB ? s[1] : s[0]);
    this.out = (int) (transB ? s[0] : s[1]);
    this.addOutput = bias.addNode().map(a -> graph.node(a).orElseThrow().output(0)).orElse(null);
  }

  private static BiasSlot biasOf(Graph graph, Node node) {
    if (node.opType().equals("Gemm")) {
      return inputBias(graph, node, node.attrFloat("beta", 1f));
    }
    List<Node> users = graph.consumers(node.output(0));
    boolean graphOutput = graph.outputs().stream().anyMatch(o -> o.name().equals(node.output(0)));
    if (users.size() != 1 || graphOutput || !users.get(0).opType().equals("Add") || !users.get(0).domain().isEmpty()) {
      return BiasSlot.NONE;
    }
    Node add = users.get(0);
    String other = add.input(0).equals(node.output(0)) ? add.input(1) : add.input(0);
    long n = graph.initializerShape(node.input(1)).orElseThrow()[1];
    if (!graph.isConstant(other) || graph.initializerTypeCode(other) != 1) {
      return BiasSlot.NONE;
    }
    long[] s = graph.initializerShape(other).orElseThrow();
    boolean perOutput = s.length >= 1 && s[s.length - 1] == n && Tensor.elementCount(s) == n;
    if (!perOutput) {
      return BiasSlot.NONE;
    }
    boolean exclusive = graph.consumers(other).size() == 1;
    return new BiasSlot(Optional.of(other), Optional.of(add.name()), 1, exclusive);
  }

  @Override
  String addOutput() {
    return addOutput;
  }

  @Override
  public int outFeatures() {
    return out;
  }

  @Override
  public int channels() {
    return in;
  }

  @Override
  public int positions() {
    return 1;
  }

  @Override
  public String patchSignature() {
    return transA ? "dense-transA" : "dense";
  }

  @Override
  DMatrix toMatrix(float[] b) {
    DMatrix w = DMatrix.zeros(out, in);
    double[] d = w.data();
    for (int o = 0; o < out; o++) {
      for (int i = 0; i < in; i++) {
        d[o * in + i] = alpha * (transB ? b[o * in + i] : b[i * out + o]);
      }
    }
    return w;
  }

  @Override
  float[] fromMatrix(DMatrix w) {
    float[] b = new float[out * in];
    double[] d = w.data();
    for (int o = 0; o < out; o++) {
      for (int i = 0; i < in; i++) {
        b[transB ? o * in + i : i * out + o] = (float) (d[o * in + i] / alpha);
      }
    }
    return b;
  }

  @Override
  String createBias(Graph graph) {
    String name = graph.uniqueValueName(node.name() + ".bias");
    node.setInput(2, name);
    node.setAttr("beta", 1f);
    graph.setInitializer(name, Tensor.ofFloats(new long[] {out}, new float[out]));
    return name;
  }

  @Override
  public RowSource inputRows(Tensor input) {
    float[] a = input.toFloats();
    if (!transA) {
      if (input.rank() == 0 || input.dim(-1) != in) {
        throw new IllegalArgumentException(node.name() + ": input of shape " + Arrays.toString(input.shape())
            + " does not end in K = " + in);
      }
      return RowSources.contiguous(a, in);
    }
    if (input.rank() != 2 || input.dim(0) != in) {
      throw new IllegalArgumentException(node.name() + ": transposed input must be [K = " + in + ", M], got "
          + Arrays.toString(input.shape()));
    }
    int m = (int) input.dim(1);
    return new RowSource() {
      @Override
      public int rows() {
        return m;
      }

      @Override
      public int cols() {
        return in;
      }

      @Override
      public void fill(int from, int count, float[] dst) {
        for (int r = 0; r < count; r++) {
          for (int k = 0; k < in; k++) {
            dst[r * in + k] = a[k * m + from + r];
          }
        }
      }
    };
  }

  @Override
  public RowSource outputRows(Tensor output) {
    if (output.rank() == 0 || output.dim(-1) != out) {
      throw new IllegalArgumentException(node.name() + ": output of shape " + Arrays.toString(output.shape())
          + " does not end in N = " + out);
    }
    return RowSources.contiguous(output.toFloats(), out);
  }
}
