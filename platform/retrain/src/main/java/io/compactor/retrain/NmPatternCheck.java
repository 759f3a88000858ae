package io.compactor.retrain;

import io.compactor.onnx.ModelException;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.tensor.Tensor;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Proves that weight tensors satisfy an N:M pattern exactly along their input-channel axis (see
 * {@link LinearLayer#inputChannelAxis}): in every group of {@code M} consecutive input channels at every
 * other index, at most {@code N} elements are non-zero. A trailing partial group counts as zero-padded.
 * Works on float weights and on integer weights behind a {@code DequantizeLinear}, so the quantization
 * step can check its output too. Stateless.
 */
public final class NmPatternCheck {
  private NmPatternCheck() {}

  /**
   * The first group that breaks the pattern.
   *
   * @param tensor the weight tensor's name
   * @param node the node using it
   * @param index the tensor index of the group's first element
   * @param axisNames names of the tensor's axes, e.g. {@code [cout, cin, kh, kw]}
   * @param axis the group axis
   * @param values the group's values
   * @param pattern the pattern it breaks
   */
  public record Violation(String tensor, String node, long[] index, List<String> axisNames, int axis, float[] values,
      NmPattern pattern) {
    /** @return the non-zeros in the group */
    public int nonZeros() {
      int n = 0;
      for (float v : values) {
        n += v != 0 ? 1 : 0;
      }
      return n;
    }

    /** @return e.g. {@code cout=3, cin=4..7, kh=0, kw=1} */
    public String position() {
      StringBuilder b = new StringBuilder();
      for (int a = 0; a < index.length; a++) {
        b.append(a == 0 ? "" : ", ").append(axisNames.get(a)).append('=').append(index[a]);
        if (a == axis) {
          b.append("..").append(index[a] + values.length - 1);
        }
      }
      return b.toString();
    }

    /** @return the message body: where, what, how to fix */
    public String describe() {
      return pattern + " pattern violated in the group at " + position() + " of node '" + node + "': "
          + nonZeros() + " non-zeros " + Arrays.toString(values) + ", at most " + pattern.keep()
          + " allowed; run the 2:4 sparsity step on this node or leave it out of the 2:4 set";
    }
  }

  /**
   * @param tensor the tensor's name, for the report
   * @param node the node using it, for the report
   * @param weights the weight values, any numeric type (zero means exactly zero)
   * @param axis the group axis
   * @param axisNames names of the axes, one per dimension
   * @param pattern the pattern
   * @return the first violating group in C order of the other axes, then along the group axis
   */
  public static Optional<Violation> firstViolation(String tensor, String node, Tensor weights, int axis,
      List<String> axisNames, NmPattern pattern) {
    long[] shape = weights.shape();
    if (axis < 0 || axis >= shape.length) {
      throw new IllegalArgumentException(tensor + ": group axis " + axis + " outside a rank-" + shape.length
          + " tensor");
    }
    float[] v = weights.toFloats();
    long inner = 1;
    for (int a = axis + 1; a < shape.length; a++) {
      inner *= shape[a];
    }
    long channels = shape[axis];
    long outer = v.length / Math.max(1, channels * inner);
    int m = pattern.groupSize();
    for (long o = 0; o < outer; o++) {
      for (long i = 0; i < inner; i++) {
        for (long c0 = 0; c0 < channels; c0 += m) {
          int size = (int) Math.min(m, channels - c0);
          int nonZero = 0;
          for (int k = 0; k < size; k++) {
            nonZero += v[(int) ((o * channels + c0 + k) * inner + i)] != 0 ? 1 : 0;
          }
          if (nonZero > pattern.keep()) {
            float[] group = new float[size];
            for (int k = 0; k < size; k++) {
              group[k] = v[(int) ((o * channels + c0 + k) * inner + i)];
            }
            return Optional.of(new Violation(tensor, node, index(shape, axis, o, c0, i), axisNames, axis, group,
                pattern));
          }
        }
      }
    }
    return Optional.empty();
  }

  private static long[] index(long[] shape, int axis, long outer, long channel, long inner) {
    long[] idx = new long[shape.length];
    long rest = inner;
    for (int a = shape.length - 1; a > axis; a--) {
      idx[a] = rest % shape[a];
      rest /= shape[a];
    }
    idx[axis] = channel;
    rest = outer;
    for (int a = axis - 1; a >= 0; a--) {
      idx[a] = rest % shape[a];
      rest /= shape[a];
    }
    return idx;
  }

  /**
   * @param graph the graph
   * @param node a Conv, ConvTranspose, Gemm or MatMul whose weight (input 1) is an initializer or the
   *     output of a {@code DequantizeLinear} of an initializer
   * @param pattern the pattern
   * @return the first violating group of the node's weight
   * @throws IllegalArgumentException when the weight is neither
   */
  public static Optional<Violation> firstViolation(Graph graph, Node node, NmPattern pattern) {
    String name = weightTensor(graph, node).orElseThrow(() -> new IllegalArgumentException("node '" + node.name()
        + "': weight '" + node.input(1) + "' is neither an initializer nor a DequantizeLinear of one"));
    Tensor w = graph.initializer(name).orElseThrow();
    return firstViolation(name, node.name(), w, LinearLayer.inputChannelAxis(node),
        LinearLayer.weightAxisNames(node, w.rank()), pattern);
  }

  /**
   * Checks every listed node and fails on the first violation.
   *
   * @param model the model
   * @param nodes names of the nodes whose weights must satisfy the pattern
   * @param pattern the pattern
   * @throws ModelException naming the tensor and the first violating group (see {@link Violation#describe})
   */
  public static void require(OnnxModel model, Collection<String> nodes, NmPattern pattern) {
    Graph g = model.graph();
    for (String name : nodes) {
      Node node = g.node(name).orElseThrow(() -> new ModelException(model.source(), name,
          "no such node to check for " + pattern + " sparsity; use a node name of the model"));
      Optional<String> tensor = weightTensor(g, node);
      if (tensor.isEmpty()) {
        throw new ModelException(model.source(), name, "weight '" + node.input(1) + "' is neither an initializer "
            + "nor a DequantizeLinear of one, got " + node.opType() + "; only constant weights can be checked");
      }
      Optional<Violation> v = firstViolation(g, node, pattern);
      if (v.isPresent()) {
        throw new ModelException(model.source(), v.get().tensor(), v.get().describe());
      }
    }
  }

  private static Optional<String> weightTensor(Graph graph, Node node) {
    String w = node.input(1);
    if (graph.hasInitializer(w)) {
      return Optional.of(w);
    }
    return graph.producer(w).filter(p -> p.opType().equals("DequantizeLinear") && graph.hasInitializer(p.input(0)))
        .map(p -> p.input(0));
  }
}
