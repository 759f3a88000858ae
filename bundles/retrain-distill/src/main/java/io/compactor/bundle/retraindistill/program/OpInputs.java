package io.compactor.bundle.retraindistill.program;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.compactor.onnx.graph.Node;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The input values of one node, in the node's input order; an omitted optional input is absent. Values a
 * converter reads as numbers (shapes, axes, pads) come from folded shape subgraphs or initializers.
 */
public final class OpInputs {
  private final Node node;
  private final OpContext ctx;
  private final List<NDArray> values;

  OpInputs(Node node, OpContext ctx, List<NDArray> values) {
    this.node = node;
    this.ctx = ctx;
    this.values = Collections.unmodifiableList(new ArrayList<>(values));
  }

  /** @return the number of input slots, omitted ones included */
  public int size() {
    return values.size();
  }

  /** @return whether input {@code i} is given */
  public boolean has(int i) {
    return i < values.size() && values.get(i) != null;
  }

  /**
   * @return input {@code i}
   * @throws io.compactor.onnx.ModelException when it is omitted
   */
  public NDArray get(int i) {
    if (!has(i)) {
      throw ctx.fail(node, "input " + i + " is required but omitted");
    }
    return values.get(i);
  }

  /** @return input {@code i}, if given */
  public Optional<NDArray> optional(int i) {
    return has(i) ? Optional.of(values.get(i)) : Optional.empty();
  }

  /** @return every given input from {@code from} on, for variadic operators */
  public List<NDArray> from(int from) {
    List<NDArray> out = new ArrayList<>();
    for (int i = from; i < values.size(); i++) {
      if (values.get(i) != null) {
        out.add(values.get(i));
      }
    }
    return out;
  }

  /** @return the values of input {@code i} as longs (shapes, axes, indices) */
  public long[] longs(int i) {
    NDArray v = get(i);
    return v.getDataType() == DataType.INT64 ? v.toLongArray() : v.toType(DataType.INT64, false).toLongArray();
  }

  /** @return input {@code i}, a scalar or one-element tensor, as a double */
  public double scalar(int i) {
    NDArray v = get(i);
    if (v.size() != 1) {
      throw ctx.fail(node, "input " + i + " must hold one value, got shape " + v.getShape());
    }
    return v.toType(DataType.FLOAT64, false).toDoubleArray()[0];
  }
}
