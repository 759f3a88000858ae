package io.compactor.bundle.quantint8;

import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * An equalization's division {@code X / s} folded into the layer that produces {@code X}: column {@code c} of
 * its constant weight {@code [K, k]} and its bias are divided by {@code s_c}, so no elementwise {@code Mul} is
 * left for the deploy model to run. {@code X} may be reached from that layer through a bias {@code Add},
 * {@code Reshape}, {@code Transpose} and the right operand of a {@code MatMul} (attention's {@code P·V}: the
 * product's last axis is V's), each value read by the next node only (and by {@code Shape}, which reads no
 * element: exporters compute reshape targets that way). Reshapes and transposes may move
 * channels in ways their dynamic shapes do not show, so a fold is only a candidate until {@link #holds} sees
 * {@code X / s} on calibration data; otherwise {@link #undo} multiplies the columns back (the weight may have
 * had its rows scaled by another group's equalization since).
 */
final class ColumnFold {
  /** Relative difference to the row's largest magnitude that still counts as float rounding. */
  static final double TOLERANCE = 1e-3;
  private final String weight;
  private final String bias;
  private final double[] scale;

  private ColumnFold(String weight, String bias, double[] scale) {
    this.weight = weight;
    this.bias = bias;
    this.scale = scale;
  }

  /**
   * Divides the producing layer's columns by {@code scale} when the chain from it to {@code value} allows.
   *
   * @param value the activation, read only by the equalized layers
   * @param columnsFree whether scaling a layer's weight columns leaves its quantization unchanged (it stays
   *     float or has one scale per column)
   * @return the applied fold, to verify; empty when nothing was changed
   */
  static Optional<ColumnFold> apply(Graph g, String value, double[] scale, Predicate<String> columnsFree) {
    int k = scale.length;
    String v = value;
    String bias = null;
    while (true) {
      Node p = g.producer(v).orElse(null);
      if (p == null) {
        return Optional.empty();
      }
      String next;
      switch (p.opType()) {
        case "Reshape", "Transpose" -> next = p.input(0);
        case "Add" -> {
          int b = g.hasInitializer(p.input(1)) ? 1 : g.hasInitializer(p.input(0)) ? 0 : -1;
          if (bias != null || b < 0 || !vector(g, p.input(b), k)) {
            return Optional.empty();
          }
          bias = p.input(b);
          next = p.input(1 - b);
        }
        case "MatMul" -> {
          if (!g.hasInitializer(p.input(1))) {
            next = p.input(1); // the product's last axis is the right operand's
          } else {
            return layer(g, p, bias, scale, columnsFree);
          }
        }
        default -> {
          return Optional.empty();
        }
      }
      String read = next;
      long readers = g.consumers(read).stream().filter(c -> !c.opType().equals("Shape")).count();
      if (readers != 1 || g.outputs().stream().anyMatch(o -> o.name().equals(read))) {
        return Optional.empty();
      }
      v = read;
    }
  }

  private static Optional<ColumnFold> layer(Graph g, Node matMul, String bias, double[] scale,
      Predicate<String> columnsFree) {
    String w = matMul.input(1);
    long[] shape = g.initializerShape(w).orElseThrow();
    if (g.initializerTypeCode(w) != 1 || shape.length != 2 || shape[1] != scale.length
        || g.consumers(w).size() != 1 || !columnsFree.test(matMul.name())) {
      return Optional.empty();
    }
    ColumnFold fold = new ColumnFold(w, bias, scale);
    fold.scaleColumns(g, -1);
    return Optional.of(fold);
  }

  private static boolean vector(Graph g, String name, int k) {
    return g.initializerTypeCode(name) == 1 && g.consumers(name).size() == 1
        && Arrays.equals(g.initializerShape(name).orElseThrow(), new long[] {k});
  }

  /** Multiplies the last axis of the weight and bias by {@code scale^power}. */
  private void scaleColumns(Graph g, int power) {
    for (String name : bias == null ? List.of(weight) : List.of(weight, bias)) {
      Tensor t = g.initializer(name).orElseThrow();
      float[] v = t.floats();
      int k = scale.length;
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) (power < 0 ? v[i] / scale[i % k] : v[i] * scale[i % k]);
      }
      g.setInitializer(name, Tensor.ofFloats(t.shape(), v));
    }
  }

  /**
   * @param before rows of the activation before the fold, row-major {@code [rows, k]}
   * @param after the same rows computed by the folded model
   * @return whether {@code after} is {@code before / s}, up to float rounding
   */
  boolean holds(float[] before, float[] after) {
    int k = scale.length;
    if (before.length != after.length || before.length % k != 0) {
      return false;
    }
    for (int r = 0; r < before.length / k; r++) {
      double max = 1e-12;
      for (int c = 0; c < k; c++) {
        max = Math.max(max, Math.abs(before[r * k + c]));
      }
      for (int c = 0; c < k; c++) {
        if (Math.abs(after[r * k + c] * scale[c] - before[r * k + c]) > TOLERANCE * max) {
          return false;
        }
      }
    }
    return true;
  }

  /** @return the equalization's scale per channel, which the fold divided the columns by */
  double[] scale() {
    return scale;
  }

  /** Multiplies the layer's columns back: the model computes what it did before the fold, up to rounding. */
  void undo(Graph g) {
    scaleColumns(g, 1);
  }
}
