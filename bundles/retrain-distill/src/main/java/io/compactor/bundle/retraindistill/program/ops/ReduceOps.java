package io.compactor.bundle.retraindistill.program.ops;

import static io.compactor.bundle.retraindistill.program.ops.OpSupport.one;

import ai.djl.ndarray.NDArray;
import io.compactor.bundle.retraindistill.program.ConverterRegistry;
import io.compactor.bundle.retraindistill.program.OpConverter;

/**
 * Reductions: ReduceMean, ReduceSum, ReduceMax, ReduceMin, with axes as an attribute (ReduceSum before 13, the
 * others before 18) or an input, {@code keepdims} and {@code noop_with_empty_axes}.
 */
public final class ReduceOps {
  private ReduceOps() {}

  /** One libtorch reduction over sorted axes. */
  @FunctionalInterface
  private interface Reduction {
    NDArray apply(NDArray x, int[] axes, boolean keepDims);
  }

  public static void register(ConverterRegistry.Builder r) {
    reduction(r, "ReduceMean", 18, NDArray::mean);
    reduction(r, "ReduceSum", 13, NDArray::sum);
    reduction(r, "ReduceMax", 18, NDArray::max);
    reduction(r, "ReduceMin", 18, NDArray::min);
  }

  private static void reduction(ConverterRegistry.Builder r, String op, long axesAsInput, Reduction f) {
    r.add(op, 1, fromAttribute(f));
    r.add(op, axesAsInput, fromInput(f));
  }

  private static OpConverter fromAttribute(Reduction f) {
    return (n, in, ctx) -> {
      NDArray x = in.get(0);
      int rank = x.getShape().dimension();
      long[] axes = n.attrInts("axes").orElse(new long[0]);
      int[] sorted = axes.length == 0 ? OpSupport.all(rank) : OpSupport.axes(axes, rank);
      return one(OpSupport.reduce(x, sorted, n.attrInt("keepdims", 1) != 0, f::apply));
    };
  }

  private static OpConverter fromInput(Reduction f) {
    return (n, in, ctx) -> {
      NDArray x = in.get(0);
      int rank = x.getShape().dimension();
      long[] axes = in.has(1) ? in.longs(1) : new long[0];
      if (axes.length == 0 && n.attrInt("noop_with_empty_axes", 0) != 0) {
        return one(x);
      }
      int[] sorted = axes.length == 0 ? OpSupport.all(rank) : OpSupport.axes(axes, rank);
      return one(OpSupport.reduce(x, sorted, n.attrInt("keepdims", 1) != 0, f::apply));
    };
  }
}
