package io.compactor.bundle.retraindistill.program.ops;

import static io.compactor.bundle.retraindistill.program.ops.OpSupport.one;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.compactor.bundle.retraindistill.program.ConverterRegistry;
import io.compactor.bundle.retraindistill.program.NdTensors;
import io.compactor.bundle.retraindistill.program.OpContext;
import io.compactor.bundle.retraindistill.program.OpConverter;
import io.compactor.bundle.retraindistill.program.OpInputs;
import io.compactor.onnx.graph.Node;
import java.util.Arrays;
import java.util.Optional;

/**
 * Shapes and data movement: Shape, Size, Reshape, Flatten, Transpose, Squeeze and Unsqueeze (axes as attribute
 * before 13, input from 13), Concat, Split, Gather, Expand, Tile, Pad, ConstantOfShape, Range, Cast, Identity,
 * Dropout (inference: identity) and Constant. Slices live in {@link SliceOps}.
 */
public final class ShapeOps {
  private ShapeOps() {}

  public static void register(ConverterRegistry.Builder r) {
    r.add("Shape", 1, (n, in, ctx) -> {
      long[] shape = in.get(0).getShape().getShape();
      int rank = shape.length;
      int start = clampAxis(n.attrInt("start", 0), rank);
      int end = clampAxis(n.attrInt("end", rank), rank);
      return one(ctx.manager().create(Arrays.copyOfRange(shape, start, Math.max(start, end))));
    });
    r.add("Size", 1, (n, in, ctx) -> one(ctx.manager().create(in.get(0).getShape().size())));
    r.add("Reshape", 5, (n, in, ctx) -> {
      NDArray x = in.get(0);
      long[] target = in.longs(1).clone();
      boolean allowZero = n.attrInt("allowzero", 0) != 0;
      for (int i = 0; i < target.length; i++) {
        if (target[i] == 0 && !allowZero) {
          target[i] = x.getShape().get(i);
        }
      }
      return one(x.reshape(new Shape(target)));
    });
    r.add("Flatten", 1, (n, in, ctx) -> {
      NDArray x = in.get(0);
      long[] s = x.getShape().getShape();
      long axis = n.attrInt("axis", 1);
      int a = (int) (axis < 0 ? axis + s.length : axis);
      return one(x.reshape(new Shape(OpSupport.product(s, 0, a), OpSupport.product(s, a, s.length))));
    });
    r.add("Transpose", 1, (n, in, ctx) -> {
      NDArray x = in.get(0);
      int rank = x.getShape().dimension();
      long[] perm = n.attrInts("perm").orElse(null);
      int[] axes = new int[rank];
      for (int i = 0; i < rank; i++) {
        axes[i] = perm == null ? rank - 1 - i : (int) perm[i];
      }
      return one(x.transpose(axes));
    });
    r.add("Unsqueeze", 1, (n, in, ctx) -> one(unsqueeze(in.get(0), n.attrInts("axes").orElse(new long[0]))));
    r.add("Unsqueeze", 13, (n, in, ctx) -> one(unsqueeze(in.get(0), in.longs(1))));
    r.add("Squeeze", 1, (n, in, ctx) -> one(squeeze(in.get(0), n.attrInts("axes").orElse(new long[0]))));
    r.add("Squeeze", 13, (n, in, ctx) -> one(squeeze(in.get(0), in.has(1) ? in.longs(1) : new long[0])));
    r.add("Concat", 1, (n, in, ctx) -> {
      NDList parts = new NDList(in.from(0));
      int axis = OpSupport.axis(n.attrInt("axis", 0), parts.head().getShape().dimension());
      return one(parts.size() == 1 ? parts.head() : NDArrays.concat(parts, axis));
    });
    r.add("Split", 2, (n, in, ctx) -> split(n, in.get(0), n.attrInts("split").orElse(null)));
    r.add("Split", 13, (n, in, ctx) -> split(n, in.get(0), in.has(1) ? in.longs(1) : null));
    SliceOps.register(r);
    r.add("Gather", 1, (n, in, ctx) -> one(gather(in.get(0), in.get(1), n.attrInt("axis", 0))));
    r.add("Expand", 8, (n, in, ctx) -> {
      NDArray x = in.get(0);
      return one(x.broadcast(new Shape(broadcastShape(x.getShape().getShape(), in.longs(1)))));
    });
    r.add("Tile", 6, (n, in, ctx) -> one(in.get(0).tile(in.longs(1))));
    r.add("Pad", 2, pad(false));
    r.add("Pad", 11, pad(true));
    r.add("ConstantOfShape", 9, new OpConverter() {
      @Override
      public NDList apply(Node n, OpInputs in, OpContext ctx) {
        Shape shape = new Shape(in.longs(0));
        if (!n.hasAttribute("value")) {
          return one(ctx.manager().zeros(shape, DataType.FLOAT32));
        }
        NDArray value = NdTensors.toNd(ctx.manager(), n.attrTensor("value").orElseThrow());
        return one(value.reshape(new Shape()).broadcast(shape).duplicate());
      }

      @Override
      public Optional<String> unsupported(Node n) {
        return n.hasAttribute("value") && n.attrTensor("value").isEmpty()
            ? Optional.of("its value attribute has an element type Compactor does not read") : Optional.empty();
      }
    });
    r.add("Range", 11, (n, in, ctx) -> {
      DataType type = in.get(0).getDataType();
      return one(ctx.manager().arange((float) in.scalar(0), (float) in.scalar(1), (float) in.scalar(2), type));
    });
    r.add("Cast", 1, new OpConverter() {
      @Override
      public NDList apply(Node n, OpInputs in, OpContext ctx) {
        DataType to = NdTensors.ofOnnx(n.attrInt("to", 0)).orElseThrow();
        NDArray x = in.get(0);
        return one(x.getDataType() == to ? x : x.toType(to, false));
      }

      @Override
      public Optional<String> unsupported(Node n) {
        return NdTensors.ofOnnx(n.attrInt("to", 0)).isPresent() ? Optional.empty()
            : Optional.of("cast to ONNX element type " + n.attrInt("to", 0) + " is not supported");
      }
    });
    r.add("Identity", 1, (n, in, ctx) -> one(in.get(0)));
    r.add("Dropout", 1, new OpConverter() {
      @Override
      public NDList apply(Node n, OpInputs in, OpContext ctx) {
        return one(in.get(0));
      }

      @Override
      public Optional<String> unsupported(Node n) {
        return n.outputs().size() > 1 && !n.output(1).isEmpty()
            ? Optional.of("the mask output is not supported") : Optional.empty();
      }
    });
    r.add("Constant", 1, new OpConverter() {
      @Override
      public NDList apply(Node n, OpInputs in, OpContext ctx) {
        return one(NdTensors.toNd(ctx.manager(), n.attrTensor("value").orElseThrow()));
      }

      @Override
      public Optional<String> unsupported(Node n) {
        return n.attrTensor("value").isPresent() ? Optional.empty()
            : Optional.of("its value has an element type Compactor does not read (sparse, string, bool or float16)");
      }
    });
  }

  private static int clampAxis(long axis, int rank) {
    long a = axis < 0 ? axis + rank : axis;
    return (int) Math.max(0, Math.min(rank, a));
  }

  private static NDArray unsqueeze(NDArray x, long[] axes) {
    int rank = x.getShape().dimension() + axes.length;
    NDArray y = x;
    for (int a : OpSupport.axes(axes, rank)) {
      y = y.expandDims(a);
    }
    return y;
  }

  private static NDArray squeeze(NDArray x, long[] axes) {
    if (axes.length == 0) {
      return x.squeeze();
    }
    return x.squeeze(OpSupport.axes(axes, x.getShape().dimension()));
  }

  private static NDList split(Node n, NDArray x, long[] sizes) {
    int axis = OpSupport.axis(n.attrInt("axis", 0), x.getShape().dimension());
    long dim = x.getShape().get(axis);
    int parts = n.outputs().size();
    long[] s = sizes;
    if (s == null) {
      long numOutputs = n.attrInt("num_outputs", parts);
      long chunk = (dim + numOutputs - 1) / numOutputs;
      s = new long[(int) numOutputs];
      for (int i = 0; i < s.length; i++) {
        s[i] = Math.min(chunk, dim - chunk * i);
      }
    }
    long[] cuts = new long[s.length - 1];
    long at = 0;
    for (int i = 0; i < cuts.length; i++) {
      at += s[i];
      cuts[i] = at;
    }
    return cuts.length == 0 ? new NDList(x) : x.split(cuts, axis);
  }

  /** ONNX Gather: {@code data.shape[:axis] + indices.shape + data.shape[axis+1:]}, negative indices from the end. */
  static NDArray gather(NDArray data, NDArray indices, long axisAttr) {
    long[] ds = data.getShape().getShape();
    int axis = OpSupport.axis(axisAttr, ds.length);
    NDArray idx = indices.getDataType() == DataType.INT64 ? indices : indices.toType(DataType.INT64, false);
    idx = idx.add(idx.lt(0).toType(DataType.INT64, false).mul(ds[axis]));
    long[] is = idx.getShape().getShape();
    NDArray flat = idx.reshape(new Shape(idx.size()));
    long[] view = OpSupport.filled(ds.length, 1);
    view[axis] = flat.size();
    long[] target = ds.clone();
    target[axis] = flat.size();
    NDArray picked = data.gather(flat.reshape(new Shape(view)).broadcast(new Shape(target)), axis);
    long[] out = new long[ds.length - 1 + is.length];
    System.arraycopy(ds, 0, out, 0, axis);
    System.arraycopy(is, 0, out, axis, is.length);
    System.arraycopy(ds, axis + 1, out, axis + is.length, ds.length - axis - 1);
    return picked.reshape(new Shape(out));
  }

  /** @return the numpy broadcast of two shapes, aligned at the right */
  static long[] broadcastShape(long[] a, long[] b) {
    int rank = Math.max(a.length, b.length);
    long[] out = new long[rank];
    for (int i = 0; i < rank; i++) {
      long da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
      long db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
      if (da != db && da != 1 && db != 1) {
        throw new IllegalArgumentException("shapes " + Arrays.toString(a) + " and " + Arrays.toString(b)
            + " do not broadcast");
      }
      out[i] = da == 1 ? db : da;
    }
    return out;
  }

  private static OpConverter pad(boolean asInputs) {
    return new OpConverter() {
      @Override
      public NDList apply(Node n, OpInputs in, OpContext ctx) {
        NDArray x = in.get(0);
        long[] pads = asInputs ? in.longs(1) : n.attrInts("pads").orElseThrow(() -> ctx.fail(n, "pads is required"));
        double value = asInputs ? (in.has(2) ? in.scalar(2) : 0) : n.attrFloat("value", 0f);
        int rank = x.getShape().dimension();
        long[] spec = new long[2 * rank];
        for (int i = 0; i < rank; i++) {
          int axis = rank - 1 - i;
          spec[2 * i] = pads[axis];
          spec[2 * i + 1] = pads[axis + rank];
        }
        return one(x.pad(new Shape(spec), value));
      }

      @Override
      public Optional<String> unsupported(Node n) {
        if (asInputs && n.inputs().size() > 3 && !n.input(3).isEmpty()) {
          return Optional.of("the axes input is not supported");
        }
        return OpSupport.onlyString(n, "mode", "constant");
      }
    };
  }
}
