package io.compactor.retrain.internal;

import io.compactor.onnx.graph.Node;
import io.compactor.onnx.tensor.Tensor;
import io.compactor.retrain.RowSource;
import java.util.Arrays;
import java.util.Optional;

/**
 * The spatial attributes of a 2-D Conv or ConvTranspose: kernel, strides, dilations, explicit pads or
 * {@code auto_pad}, and ConvTranspose's {@code output_padding}; and the im2col rows both read, one patch per
 * output position. The two operators differ only in which input pixel a kernel tap of an output position
 * reads ({@link #source}): a Conv gathers {@code out · stride − pad + tap · dilation}, a ConvTranspose gathers
 * the pixel it scatters onto the output position, {@code (out + pad − tap · dilation) / stride} where that
 * divides. Immutable.
 *
 * @param transposed true for ConvTranspose
 * @param kernelH kernel height
 * @param kernelW kernel width
 * @param strideH vertical stride
 * @param strideW horizontal stride
 * @param dilationH vertical dilation
 * @param dilationW horizontal dilation
 * @param pads explicit pads {@code [top, left, bottom, right]} (used with auto_pad NOTSET)
 * @param autoPad NOTSET, VALID, SAME_UPPER or SAME_LOWER
 * @param outputPaddingH ConvTranspose output padding, 0 for Conv
 * @param outputPaddingW ConvTranspose output padding, 0 for Conv
 */
public record ConvGeometry(boolean transposed, int kernelH, int kernelW, int strideH, int strideW, int dilationH, int dilationW, int[] pads,
    String autoPad, int outputPaddingH, int outputPaddingW) {

  static final String NOTSET = "NOTSET";

  /** Reads the attributes of {@code node} (Conv or ConvTranspose), whose weight has spatial dimensions {@code kh x kw}. */
  public static ConvGeometry of(Node node, long kh, long kw) {
    long[] strides = node.attrInts("strides").orElse(new long[] {1, 1});
    long[] dilations = node.attrInts("dilations").orElse(new long[] {1, 1});
    long[] pads = node.attrInts("pads").orElse(new long[] {0, 0, 0, 0});
    long[] outPad = node.attrInts("output_padding").orElse(new long[] {0, 0});
    String auto = node.attrString("auto_pad").orElse(NOTSET);
    return new ConvGeometry(node.opType().equals("ConvTranspose"), (int) kh, (int) kw, (int) strides[0], (int) strides[1], (int) dilations[0],
        (int) dilations[1], new int[] {(int) pads[0], (int) pads[1], (int) pads[2], (int) pads[3]},
        auto.isEmpty() ? NOTSET : auto, (int) outPad[0], (int) outPad[1]);
  }

  /** @return why the attributes cannot be handled, if they cannot */
  public static Optional<String> unsupported(Node node, boolean transpose) {
    for (String a : new String[] {"strides", "dilations", "output_padding"}) {
      Optional<long[]> v = node.attrInts(a);
      if (v.isPresent() && v.get().length != 2) {
        return Optional.of(a + " must have 2 entries for a 2-D kernel, got " + Arrays.toString(v.get()));
      }
    }
    Optional<long[]> pads = node.attrInts("pads");
    if (pads.isPresent() && pads.get().length != 4) {
      return Optional.of("pads must have 4 entries for a 2-D kernel, got " + Arrays.toString(pads.get()));
    }
    String auto = node.attrString("auto_pad").orElse(NOTSET);
    if (transpose && !(auto.isEmpty() || auto.equals(NOTSET))) {
      return Optional.of("ConvTranspose with auto_pad " + auto + " is not supported; export with explicit pads");
    }
    if (transpose && node.hasAttribute("output_shape")) {
      return Optional.of("ConvTranspose with output_shape is not supported; export with explicit pads");
    }
    if (!transpose && !(auto.isEmpty() || auto.equals(NOTSET) || auto.equals("VALID") || auto.equals("SAME_UPPER")
        || auto.equals("SAME_LOWER"))) {
      return Optional.of("unknown auto_pad " + auto + "; expected NOTSET, VALID, SAME_UPPER or SAME_LOWER");
    }
    return Optional.empty();
  }

  /** @return the extent of the dilated kernel along an axis */
  private static int span(int kernel, int dilation) {
    return (kernel - 1) * dilation + 1;
  }

  /** @return {@code [outH, outW, padTop, padLeft]} over an {@code inH x inW} input */
  public int[] output(int inH, int inW) {
    return transposed ? transposeOutput(inH, inW) : convOutput(inH, inW);
  }

  private int[] convOutput(int inH, int inW) {
    int[] h = convAxis(inH, kernelH, strideH, dilationH, pads[0], pads[2]);
    int[] w = convAxis(inW, kernelW, strideW, dilationW, pads[1], pads[3]);
    return new int[] {h[0], w[0], h[1], w[1]};
  }

  private int[] convAxis(int in, int k, int s, int d, int padBegin, int padEnd) {
    return switch (autoPad) {
      case "VALID" -> new int[] {(in - span(k, d)) / s + 1, 0};
      case "SAME_UPPER", "SAME_LOWER" -> {
        int out = (in + s - 1) / s;
        int total = Math.max(0, (out - 1) * s + span(k, d) - in);
        yield new int[] {out, autoPad.equals("SAME_UPPER") ? total / 2 : total - total / 2};
      }
      default -> new int[] {Math.floorDiv(in + padBegin + padEnd - span(k, d), s) + 1, padBegin};
    };
  }

  private int[] transposeOutput(int inH, int inW) {
    int outH = strideH * (inH - 1) + outputPaddingH + span(kernelH, dilationH) - pads[0] - pads[2];
    int outW = strideW * (inW - 1) + outputPaddingW + span(kernelW, dilationW) - pads[1] - pads[3];
    return new int[] {outH, outW, pads[0], pads[1]};
  }

  /** @return a key equal for geometries that cut the same patches from the same input */
  public String signature() {
    return kernelH + "x" + kernelW + " s" + strideH + "," + strideW + " d" + dilationH + "," + dilationW + " p"
        + Arrays.toString(pads) + " " + autoPad + " op" + outputPaddingH + "," + outputPaddingW;
  }

  /**
   * @param input an NCHW tensor with {@code channels} channels
   * @param channels input channels
   * @return one row per (n, output y, output x), {@code kH × kW × channels} columns ordered
   *     {@code (i × kW + j) × channels + c}; zero where a tap falls outside the input
   */
  public RowSource patches(Tensor input, int channels) {
    float[] x = input.floats();
    int n = (int) input.dim(0);
    int h = (int) input.dim(2);
    int w = (int) input.dim(3);
    int[] o = output(h, w);
    int outH = o[0];
    int outW = o[1];
    int cols = kernelH * kernelW * channels;
    return new RowSource() {
      @Override
      public int rows() {
        return n * outH * outW;
      }

      @Override
      public int cols() {
        return cols;
      }

      @Override
      public void fill(int from, int count, float[] dst) {
        Arrays.fill(dst, 0, count * cols, 0f);
        for (int k = 0; k < count; k++) {
          int r = from + k;
          int b = r / (outH * outW);
          int oy = r / outW % outH;
          int ox = r % outW;
          for (int i = 0; i < kernelH; i++) {
            int iy = source(oy, o[2], i, strideH, dilationH, h);
            if (iy < 0) {
              continue;
            }
            for (int j = 0; j < kernelW; j++) {
              int ix = source(ox, o[3], j, strideW, dilationW, w);
              if (ix < 0) {
                continue;
              }
              int dstBase = k * cols + (i * kernelW + j) * channels;
              int srcBase = (b * channels * h + iy) * w + ix;
              for (int c = 0; c < channels; c++) {
                dst[dstBase + c] = x[srcBase + c * h * w];
              }
            }
          }
        }
      }
    };
  }

  /**
   * @return the input coordinate that kernel tap {@code tap} of output coordinate {@code out} reads along one
   *     axis, or -1 where it reads padding (Conv) or a position the stride skips (ConvTranspose)
   */
  private int source(int out, int pad, int tap, int stride, int dilation, int in) {
    if (!transposed) {
      int i = out * stride - pad + tap * dilation;
      return i >= 0 && i < in ? i : -1;
    }
    int scattered = out + pad - tap * dilation;
    return scattered >= 0 && scattered % stride == 0 && scattered / stride < in ? scattered / stride : -1;
  }
}
