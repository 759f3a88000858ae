package io.compactor.core.tune;

import io.compactor.core.plan.Compressible;
import java.util.Objects;

/**
 * A compressible operator as the search sees it: what it may get and how many weights it holds.
 *
 * @param node the ONNX node name
 * @param opType its ONNX op type
 * @param weights elements of its constant weight (a table's rows × width)
 * @param twoOfFour whether the planner lets 2:4 run on it
 * @param filter whether the planner lets filter pruning run on it
 * @param int8 whether the planner lets INT8 run on it
 */
public record Operator(String node, String opType, long weights, boolean twoOfFour, boolean filter, boolean int8) {
  public Operator {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(opType, "opType");
  }

  /** @return whether the operator is an embedding table (Gather on a constant): INT8 only, and only opted in */
  public boolean table() {
    return opType.equals(Compressible.TABLE);
  }

  /** @return whether the operator is a MatMul, the only type dynamic INT8 changes */
  public boolean matMul() {
    return opType.equals("MatMul");
  }
}
