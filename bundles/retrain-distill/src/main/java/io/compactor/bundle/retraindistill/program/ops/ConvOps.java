package io.compactor.bundle.retraindistill.program.ops;

import static io.compactor.bundle.retraindistill.program.ops.OpSupport.one;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv1d;
import ai.djl.nn.convolutional.Conv2d;
import io.compactor.bundle.retraindistill.program.ConverterRegistry;
import io.compactor.bundle.retraindistill.program.OpContext;
import io.compactor.bundle.retraindistill.program.OpConverter;
import io.compactor.bundle.retraindistill.program.OpInputs;
import io.compactor.onnx.graph.Node;
import java.util.Arrays;
import java.util.Optional;

/**
 * Convolutions over one or two spatial axes: Conv (pads, auto_pad, strides, dilations, groups, depthwise) and
 * ConvTranspose (pads, strides, dilations, groups, output_padding).
 */
public final class ConvOps {
  private ConvOps() {}

  public static void register(ConverterRegistry.Builder r) {
    r.add("Conv", 1, new OpConverter() {
      @Override
      public NDList apply(Node n, OpInputs in, OpContext ctx) {
        NDArray x = in.get(0);
        NDArray w = in.get(1);
        NDArray b = in.has(2) ? in.get(2) : ctx.manager().zeros(new Shape(w.getShape().get(0)), w.getDataType());
        long[] xs = x.getShape().getShape();
        long[] ws = w.getShape().getShape();
        int sp = spatial(n, ctx, xs);
        Windows win = Windows.of(n, Arrays.copyOfRange(xs, 2, xs.length), Arrays.copyOfRange(ws, 2, ws.length));
        Shape padding = win.symmetricPads();
        if (!win.symmetric(false)) {
          x = win.pad(x, 0);
          padding = win.noPads();
        }
        int group = Math.toIntExact(n.attrInt("group", 1));
        NDList y = sp == 2
            ? Conv2d.conv2d(x, w, b, win.stridesShape(), padding, win.dilationsShape(), group)
            : Conv1d.conv1d(x, w, b, win.stridesShape(), padding, win.dilationsShape(), group);
        return one(y.head());
      }

      @Override
      public Optional<String> unsupported(Node n) {
        return spatialAttributes(n);
      }
    });
    r.add("ConvTranspose", 1, new OpConverter() {
      @Override
      public NDList apply(Node n, OpInputs in, OpContext ctx) {
        NDArray x = in.get(0);
        NDArray w = in.get(1);
        int group = Math.toIntExact(n.attrInt("group", 1));
        long[] xs = x.getShape().getShape();
        long[] ws = w.getShape().getShape();
        int sp = spatial(n, ctx, xs);
        Windows win = Windows.of(n, Arrays.copyOfRange(xs, 2, xs.length), Arrays.copyOfRange(ws, 2, ws.length));
        long[] outPad = OpSupport.ints(n, "output_padding", new long[sp]);
        // libtorch's engine in DJL has no transposed convolution: a stride-1 convolution of the zero-stuffed
        // input with the flipped, transposed kernel, padded by dilation·(kernel−1), is the same operator
        NDArray stuffed = stuff(x, win.strides());
        long[] spec = new long[2 * sp];
        for (int i = 0; i < sp; i++) {
          int axis = sp - 1 - i;
          long full = win.dilations()[axis] * (ws[2 + axis] - 1);
          spec[2 * i] = full;
          spec[2 * i + 1] = full + outPad[axis];
        }
        NDArray padded = stuffed.pad(new Shape(spec), 0);
        NDArray kernel = flippedKernel(w, group);
        Shape ones = new Shape(OpSupport.filled(sp, 1));
        Shape zeros = new Shape(new long[sp]);
        NDArray b = in.has(2) ? in.get(2) : ctx.manager().zeros(new Shape(ws[1] * group), w.getDataType());
        NDList y = sp == 2
            ? Conv2d.conv2d(padded, kernel, b, ones, zeros, win.dilationsShape(), group)
            : Conv1d.conv1d(padded, kernel, b, ones, zeros, win.dilationsShape(), group);
        return one(win.crop(y.head()));
      }

      @Override
      public Optional<String> unsupported(Node n) {
        if (n.hasAttribute("output_shape")) {
          return Optional.of("output_shape is not supported; give pads and output_padding instead");
        }
        Optional<String> auto = OpSupport.onlyString(n, "auto_pad", "NOTSET", "VALID");
        return auto.isPresent() ? auto : spatialAttributes(n);
      }
    });
  }

  /** @return {@code x} with {@code stride − 1} zeros between neighbours on each spatial axis */
  private static NDArray stuff(NDArray x, long[] strides) {
    if (Arrays.stream(strides).allMatch(s -> s == 1)) {
      return x;
    }
    long[] xs = x.getShape().getShape();
    int sp = strides.length;
    long[] interleaved = new long[2 + 2 * sp];
    interleaved[0] = xs[0];
    interleaved[1] = xs[1];
    long[] spec = new long[2 * (2 * sp)];
    long[] wide = new long[2 + sp];
    wide[0] = xs[0];
    wide[1] = xs[1];
    for (int i = 0; i < sp; i++) {
      interleaved[2 + 2 * i] = xs[2 + i];
      interleaved[3 + 2 * i] = 1;
      wide[2 + i] = xs[2 + i] * strides[i];
      // pad the unit axis after spatial axis i (counted from the last axis) up to the stride
      int fromLast = 2 * (sp - 1 - i);
      spec[2 * fromLast + 1] = strides[i] - 1;
    }
    NDArray y = x.reshape(new Shape(interleaved)).pad(new Shape(spec), 0).reshape(new Shape(wide));
    for (int i = 0; i < sp; i++) {
      y = y.get(ai.djl.ndarray.index.NDIndex.sliceAxis(2 + i, 0, (xs[2 + i] - 1) * strides[i] + 1));
    }
    return y;
  }

  /** @return the ConvTranspose kernel {@code [Cin, Cout/g, k...]} as a Conv kernel {@code [Cout, Cin/g, k...]}, flipped */
  private static NDArray flippedKernel(NDArray w, int group) {
    long[] ws = w.getShape().getShape();
    int sp = ws.length - 2;
    long[] grouped = new long[ws.length + 1];
    grouped[0] = group;
    grouped[1] = ws[0] / group;
    grouped[2] = ws[1];
    System.arraycopy(ws, 2, grouped, 3, sp);
    int[] perm = new int[grouped.length];
    perm[0] = 0;
    perm[1] = 2;
    perm[2] = 1;
    for (int i = 3; i < perm.length; i++) {
      perm[i] = i;
    }
    long[] conv = new long[ws.length];
    conv[0] = ws[1] * group;
    conv[1] = ws[0] / group;
    System.arraycopy(ws, 2, conv, 2, sp);
    int[] spatialAxes = new int[sp];
    for (int i = 0; i < sp; i++) {
      spatialAxes[i] = 2 + i;
    }
    return w.reshape(new Shape(grouped)).transpose(perm).reshape(new Shape(conv)).flip(spatialAxes);
  }

  private static int spatial(Node n, OpContext ctx, long[] inputShape) {
    int sp = inputShape.length - 2;
    if (sp < 1 || sp > 2) {
      throw ctx.fail(n, "only 1-D and 2-D convolutions can be trained, got input shape " + Arrays.toString(inputShape));
    }
    return sp;
  }

  private static Optional<String> spatialAttributes(Node n) {
    Optional<long[]> kernel = n.attrInts("kernel_shape");
    if (kernel.isPresent() && (kernel.get().length < 1 || kernel.get().length > 2)) {
      return Optional.of("only 1-D and 2-D convolutions can be trained, got kernel_shape "
          + Arrays.toString(kernel.get()));
    }
    return Optional.empty();
  }
}
