package io.compactor.bundle.retraindistill.program.ops;

import static io.compactor.bundle.retraindistill.program.ops.OpSupport.one;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.pooling.Pool;
import io.compactor.bundle.retraindistill.program.ConverterRegistry;
import io.compactor.bundle.retraindistill.program.OpContext;
import io.compactor.bundle.retraindistill.program.OpConverter;
import io.compactor.bundle.retraindistill.program.OpInputs;
import io.compactor.onnx.graph.Node;
import java.util.Arrays;
import java.util.Optional;

/**
 * Pooling over one or two spatial axes: MaxPool, AveragePool (pads, auto_pad, strides, ceil_mode,
 * count_include_pad), GlobalAveragePool and GlobalMaxPool over every spatial axis.
 */
public final class PoolOps {
  private PoolOps() {}

  public static void register(ConverterRegistry.Builder r) {
    r.add("MaxPool", 1, new OpConverter() {
      @Override
      public NDList apply(Node n, OpInputs in, OpContext ctx) {
        NDArray x = in.get(0);
        Windows win = windows(n, ctx, x);
        boolean ceil = n.attrInt("ceil_mode", 0) != 0;
        Shape padding = win.symmetricPads();
        if (!win.symmetric(true)) {
          x = win.pad(x, Double.NEGATIVE_INFINITY);
          padding = win.noPads();
        }
        return one(win.kernel().length == 2
            ? Pool.maxPool2d(x, win.kernelShape(), win.stridesShape(), padding, ceil)
            : Pool.maxPool1d(x, win.kernelShape(), win.stridesShape(), padding, ceil));
      }

      @Override
      public Optional<String> unsupported(Node n) {
        if (n.outputs().size() > 1 && !n.output(1).isEmpty()) {
          return Optional.of("the Indices output is not supported");
        }
        if (Arrays.stream(OpSupport.ints(n, "dilations", new long[0])).anyMatch(d -> d != 1)) {
          return Optional.of("dilations other than 1 are not supported, got "
              + Arrays.toString(n.attrInts("dilations").orElseThrow()));
        }
        return kernelRank(n);
      }
    });
    r.add("AveragePool", 1, new OpConverter() {
      @Override
      public NDList apply(Node n, OpInputs in, OpContext ctx) {
        NDArray x = in.get(0);
        Windows win = windows(n, ctx, x);
        boolean ceil = n.attrInt("ceil_mode", 0) != 0;
        boolean includePad = n.attrInt("count_include_pad", 0) != 0;
        if (win.symmetric(true) && includePad) {
          return one(average(x, win, win.symmetricPads(), ceil, true));
        }
        // DJL's libtorch pooling counts padding whatever it is told, and cannot pad asymmetrically: pad
        // explicitly, then divide by the count of real elements unless padding counts
        NDArray sum = average(win.pad(x, 0), win, win.noPads(), ceil, true);
        if (includePad) {
          return one(sum);
        }
        NDArray ones = ctx.manager().ones(new Shape(1, 1).addAll(x.getShape().slice(2)), x.getDataType());
        NDArray count = average(win.pad(ones, 0), win, win.noPads(), ceil, true);
        return one(sum.div(count));
      }

      @Override
      public Optional<String> unsupported(Node n) {
        if (Arrays.stream(OpSupport.ints(n, "dilations", new long[0])).anyMatch(d -> d != 1)) {
          return Optional.of("dilations other than 1 are not supported");
        }
        return kernelRank(n);
      }
    });
    r.add("GlobalAveragePool", 1, (n, in, ctx) -> {
      NDArray x = in.get(0);
      return one(OpSupport.reduce(x, spatialAxes(x), true, NDArray::mean));
    });
    r.add("GlobalMaxPool", 1, (n, in, ctx) -> {
      NDArray x = in.get(0);
      return one(OpSupport.reduce(x, spatialAxes(x), true, NDArray::max));
    });
  }

  private static NDArray average(NDArray x, Windows win, Shape padding, boolean ceil, boolean includePad) {
    return win.kernel().length == 2
        ? Pool.avgPool2d(x, win.kernelShape(), win.stridesShape(), padding, ceil, includePad)
        : Pool.avgPool1d(x, win.kernelShape(), win.stridesShape(), padding, ceil, includePad);
  }

  private static Windows windows(Node n, OpContext ctx, NDArray x) {
    long[] xs = x.getShape().getShape();
    long[] kernel = n.attrInts("kernel_shape").orElseThrow(() -> ctx.fail(n, "kernel_shape is required"));
    if (kernel.length != xs.length - 2) {
      throw ctx.fail(n, "kernel_shape " + Arrays.toString(kernel) + " does not match input shape "
          + Arrays.toString(xs));
    }
    return Windows.of(n, Arrays.copyOfRange(xs, 2, xs.length), kernel);
  }

  private static Optional<String> kernelRank(Node n) {
    long[] kernel = n.attrInts("kernel_shape").orElse(new long[0]);
    if (kernel.length < 1 || kernel.length > 2) {
      return Optional.of("only 1-D and 2-D pooling can be trained, got kernel_shape " + Arrays.toString(kernel));
    }
    return Optional.empty();
  }

  private static int[] spatialAxes(NDArray x) {
    int rank = x.getShape().dimension();
    int[] axes = new int[rank - 2];
    for (int i = 2; i < rank; i++) {
      axes[i - 2] = i;
    }
    return axes;
  }
}
