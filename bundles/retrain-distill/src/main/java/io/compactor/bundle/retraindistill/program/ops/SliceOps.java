package io.compactor.bundle.retraindistill.program.ops;

import static io.compactor.bundle.retraindistill.program.ops.OpSupport.one;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import io.compactor.bundle.retraindistill.program.ConverterRegistry;
import io.compactor.bundle.retraindistill.program.OpContext;
import io.compactor.onnx.graph.Node;

/** Slice: starts, ends and axes as attributes before opset 10, inputs (with steps) from 10; positive steps. */
final class SliceOps {
  private SliceOps() {}

  static void register(ConverterRegistry.Builder r) {
    r.add("Slice", 1, (n, in, ctx) -> one(slice(n, ctx, in.get(0),
        n.attrInts("starts").orElseThrow(() -> ctx.fail(n, "starts is required")),
        n.attrInts("ends").orElseThrow(() -> ctx.fail(n, "ends is required")),
        n.attrInts("axes").orElse(null), null)));
    r.add("Slice", 10, (n, in, ctx) -> one(slice(n, ctx, in.get(0), in.longs(1), in.longs(2),
        in.has(3) ? in.longs(3) : null, in.has(4) ? in.longs(4) : null)));
  }

  private static NDArray slice(Node n, OpContext ctx, NDArray x, long[] starts, long[] ends, long[] axes,
      long[] steps) {
    long[] shape = x.getShape().getShape();
    int rank = shape.length;
    long[] from = new long[rank];
    long[] to = shape.clone();
    long[] step = OpSupport.filled(rank, 1);
    for (int i = 0; i < starts.length; i++) {
      int axis = OpSupport.axis(axes == null ? i : axes[i], rank);
      long s = steps == null ? 1 : steps[i];
      if (s <= 0) {
        throw ctx.fail(n, "only positive steps can be trained, got " + s + " on axis " + axis);
      }
      long dim = shape[axis];
      from[axis] = clamp(starts[i] < 0 ? starts[i] + dim : starts[i], dim);
      to[axis] = Math.max(from[axis], clamp(ends[i] < 0 ? ends[i] + dim : ends[i], dim));
      step[axis] = s;
    }
    NDIndex index = new NDIndex();
    for (int a = 0; a < rank; a++) {
      index.addSliceDim(from[a], to[a], step[a]);
    }
    return x.get(index);
  }

  private static long clamp(long v, long dim) {
    return Math.max(0, Math.min(dim, v));
  }
}
