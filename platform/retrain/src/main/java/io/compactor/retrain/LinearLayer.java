package io.compactor.retrain;

import io.compactor.onnx.ModelException;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.tensor.Tensor;
import io.compactor.retrain.internal.LayerEligibility;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * One linear operator of an ONNX graph seen as {@code y = W x + b} on rows: Conv (2-D kernel, group 1,
 * any pads, strides, dilations, auto_pad), ConvTranspose (2-D, group 1, explicit pads), Gemm (transA,
 * transB, alpha, beta) and MatMul with a constant rank-2 weight {@code B[K, N]} (inputs of any rank
 * flattened to {@code [M, K]}). The view maps the ONNX weight tensor to {@code W[out, in]} and back, and
 * turns activations into rows: im2col patches for convolutions.
 *
 * <p>Column order of {@code W}: {@code column = (kh × kW + kw) × Cin + cin} for convolutions (the input
 * channel varies fastest, so N:M groups along Cin are runs of consecutive columns), {@code column = k}
 * for Gemm and MatMul. Gemm's {@code alpha} is folded into {@code W} and {@code beta} into the bias, and
 * undone on writing. A view is a snapshot of the node's structure; create a new one after the graph
 * changes shape.
 */
public abstract sealed class LinearLayer permits DenseLayer, ConvLayer {
  /** Op types a view exists for. */
  public static final List<String> OP_TYPES = List.of("Conv", "ConvTranspose", "Gemm", "MatMul");

  final String model;
  final Node node;
  final String weight;
  final BiasSlot bias;

  LinearLayer(String model, Node node, BiasSlot bias) {
    this.model = model;
    this.node = node;
    this.weight = node.input(1);
    this.bias = bias;
  }

  /**
   * @param model the model, for messages
   * @param graph the graph holding {@code node}
   * @param node a Conv, ConvTranspose, Gemm or MatMul
   * @return the view
   * @throws ModelException naming the node and why it has no view (see {@link #unsupported})
   */
  public static LinearLayer of(String model, Graph graph, Node node) {
    Optional<String> why = unsupported(graph, node);
    if (why.isPresent()) {
      throw new ModelException(model, node.name(), why.get());
    }
    return switch (node.opType()) {
      case "Conv", "ConvTranspose" -> new ConvLayer(model, graph, node);
      default -> new DenseLayer(model, graph, node);
    };
  }

  /**
   * @param graph the graph holding {@code node}
   * @param node any node
   * @return why the node cannot be viewed as a linear layer whose weights may be rewritten, or empty
   */
  public static Optional<String> unsupported(Graph graph, Node node) {
    return LayerEligibility.unsupported(graph, node);
  }

  /**
   * @return the axis of the node's ONNX weight tensor that holds input channels (the N:M group axis):
   *     1 for Conv, 0 for ConvTranspose, 1 for Gemm with transB, 0 for Gemm without and for MatMul
   */
  public static int inputChannelAxis(Node node) {
    return switch (node.opType()) {
      case "Conv" -> 1;
      case "Gemm" -> node.attrInt("transB", 0) != 0 ? 1 : 0;
      default -> 0;
    };
  }

  /** @return names of the ONNX weight tensor's axes, for messages, e.g. {@code [cout, cin, kh, kw]} */
  public static List<String> weightAxisNames(Node node, int rank) {
    List<String> names = switch (node.opType()) {
      case "Conv" -> List.of("cout", "cin", "kh", "kw");
      case "ConvTranspose" -> List.of("cin", "cout", "kh", "kw");
      case "Gemm" -> node.attrInt("transB", 0) != 0 ? List.of("n_out", "k_in") : List.of("k_in", "n_out");
      default -> List.of("k_in", "n_out");
    };
    if (names.size() == rank) {
      return names;
    }
    String[] generic = new String[rank];
    Arrays.setAll(generic, i -> "axis" + i);
    return List.of(generic);
  }

  /** @return the node name */
  public String node() {
    return node.name();
  }

  /** @return the op type */
  public String opType() {
    return node.opType();
  }

  /** @return the activation input the rows come from */
  public String inputValue() {
    return node.input(0);
  }

  /** @return the value holding the layer's output including its bias (a MatMul's bias Add output) */
  public String outputValue() {
    return bias.addNode().isPresent() ? addOutput() : node.output(0);
  }

  String addOutput() {
    throw new IllegalStateException("only MatMul has a bias Add");
  }

  /** @return the weight initializer's name */
  public String weightName() {
    return weight;
  }

  /** @return where the bias lives and whether it may be written */
  public BiasSlot biasSlot() {
    return bias;
  }

  /** @return rows of {@code W}: output channels or features */
  public abstract int outFeatures();

  /** @return input channels or features (Cin, K) */
  public abstract int channels();

  /** @return kernel taps per channel ({@code kH × kW}; 1 for Gemm and MatMul) */
  public abstract int positions();

  /** @return columns of {@code W}: {@code positions() × channels()} */
  public int inFeatures() {
    return positions() * channels();
  }

  /** @return the N:M groups of {@code W}'s columns: runs of {@code groupSize} input channels per position */
  public ColumnGroups inputChannelGroups(int groupSize) {
    return ColumnGroups.channelRuns(positions(), channels(), groupSize);
  }

  /**
   * @return a key that is equal for two layers whose rows are identical when they read the same input
   *     (e.g. Q, K and V projections of one attention block), so their {@code XᵀX} can be shared
   */
  public abstract String patchSignature();

  /** @return the weights as {@code W[out, in]} in the column order above, read from {@code graph} */
  public DMatrix weights(Graph graph) {
    Tensor t = graph.initializer(weight).orElseThrow(() -> new ModelException(model, weight, "weight initializer "
        + "disappeared from the graph of " + node.name()));
    return toMatrix(t.floats());
  }

  /** Writes {@code w} ({@code W[out, in]}) into the weight initializer, in the ONNX layout. */
  public void setWeights(Graph graph, DMatrix w) {
    MatrixDimensionException.require(w.rows() == outFeatures() && w.cols() == inFeatures(), node.name()
        + ": set weights", "W must be " + outFeatures() + "x" + inFeatures(), w);
    long[] shape = graph.initializerShape(weight).orElseThrow();
    graph.setInitializer(weight, Tensor.ofFloats(shape, fromMatrix(w)));
  }

  /** @return the effective bias (after Gemm's beta), one per output, if the layer has one */
  public Optional<double[]> bias(Graph graph) {
    if (bias.initializer().isEmpty()) {
      return Optional.empty();
    }
    float[] raw = graph.initializer(bias.initializer().get()).orElseThrow().toFloats();
    double[] out = new double[outFeatures()];
    for (int o = 0; o < out.length; o++) {
      out[o] = bias.scale() * raw[raw.length == 1 ? 0 : o];
    }
    return Optional.of(out);
  }

  /**
   * Writes the effective bias, creating the bias input of a Conv or Gemm that had none.
   *
   * @throws ModelException when the bias is shared or cannot be added
   */
  public void setBias(Graph graph, double[] values) {
    if (!bias.writable()) {
      throw new ModelException(model, node.name(), "the bias cannot be rewritten (shared, or no bias input); "
          + "reconstruct without bias correction");
    }
    if (values.length != outFeatures()) {
      throw new MatrixDimensionException(node.name() + ": bias of " + values.length + " values for "
          + outFeatures() + " outputs");
    }
    float[] stored = new float[values.length];
    for (int o = 0; o < stored.length; o++) {
      stored[o] = (float) (values[o] / bias.scale());
    }
    String name = bias.initializer().orElseGet(() -> createBias(graph));
    long[] shape = graph.initializerShape(name).filter(s -> Tensor.elementCount(s) == stored.length)
        .orElse(new long[] {stored.length});
    graph.setInitializer(name, Tensor.ofFloats(shape, stored));
  }

  /** Adds an (empty) bias input to the node and returns its name. */
  String createBias(Graph graph) {
    throw new ModelException(model, node.name(), "a bias cannot be added to " + node.opType());
  }

  /** @return rows of the layer input: one row per output position, {@code inFeatures()} columns */
  public abstract RowSource inputRows(Tensor input);

  /** @return rows of the layer output, aligned with {@link #inputRows}, {@code outFeatures()} columns */
  public abstract RowSource outputRows(Tensor output);

  abstract DMatrix toMatrix(float[] onnx);

  abstract float[] fromMatrix(DMatrix w);

  @Override
  public String toString() {
    return node.opType() + " '" + node.name() + "' W[" + outFeatures() + ", " + inFeatures() + "]";
  }

  /** @return the bias slot of a node whose optional bias is input 2 (Conv B, Gemm C) */
  static BiasSlot inputBias(Graph graph, Node node, double scale) {
    String b = node.input(2);
    if (b.isEmpty()) {
      return new BiasSlot(Optional.empty(), Optional.empty(), 1, true);
    }
    boolean exclusive = graph.consumers(b).size() == 1;
    return new BiasSlot(Optional.of(b), Optional.empty(), scale, exclusive && scale != 0);
  }
}
