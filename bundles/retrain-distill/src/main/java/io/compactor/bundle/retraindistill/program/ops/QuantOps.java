package io.compactor.bundle.retraindistill.program.ops;

import static io.compactor.bundle.retraindistill.program.ops.OpSupport.one;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import io.compactor.bundle.retraindistill.program.ConverterRegistry;
import io.compactor.bundle.retraindistill.program.OpContext;
import io.compactor.bundle.retraindistill.program.OpConverter;
import io.compactor.bundle.retraindistill.program.OpInputs;
import io.compactor.onnx.graph.Node;
import java.util.Optional;

/**
 * The fake-quant form as straight-through estimators: QuantizeLinear yields the integer codes as float values
 * (rounded with the straight-through trick, so gradients pass to the input and the scale; clipped to the zero
 * point's range), DequantizeLinear maps codes back, and DynamicQuantizeLinear derives its range from the
 * batch as ONNX Runtime does (the range itself is not trained). Per-tensor and per-axis scales.
 */
public final class QuantOps {
  private QuantOps() {}

  public static void register(ConverterRegistry.Builder r) {
    r.add("QuantizeLinear", 10, new OpConverter() {
      @Override
      public NDList apply(Node n, OpInputs in, OpContext ctx) {
        NDArray x = in.get(0);
        int rank = x.getShape().dimension();
        int axis = rank == 0 ? 0 : OpSupport.axis(n.attrInt("axis", 1), rank);
        NDArray scale = OpSupport.alongAxis(in.get(1), axis, rank);
        float lo = 0;
        float hi = 255;
        NDArray zp = null;
        if (in.has(2)) {
          zp = in.get(2);
          if (zp.getDataType() == DataType.INT8) {
            lo = -128;
            hi = 127;
          }
          zp = OpSupport.alongAxis(zp.toType(x.getDataType(), false), axis, rank);
        }
        NDArray q = roundStraightThrough(x.div(scale));
        if (zp != null) {
          q = q.add(zp);
        }
        return one(q.clip(lo, hi));
      }

      @Override
      public Optional<String> unsupported(Node n) {
        if (n.attrInt("block_size", 0) != 0) {
          return Optional.of("blocked quantization (block_size) is not supported");
        }
        if (n.hasAttribute("output_dtype") && n.attrInt("output_dtype", 0) != 2 && n.attrInt("output_dtype", 0) != 3) {
          return Optional.of("output_dtype " + n.attrInt("output_dtype", 0) + " is not supported; only UINT8 and INT8");
        }
        return Optional.empty();
      }
    });
    r.add("DequantizeLinear", 10, new OpConverter() {
      @Override
      public NDList apply(Node n, OpInputs in, OpContext ctx) {
        NDArray scale = in.get(1);
        NDArray x = in.get(0);
        if (x.getDataType() != scale.getDataType()) {
          x = x.toType(scale.getDataType(), false);
        }
        int rank = x.getShape().dimension();
        int axis = rank == 0 ? 0 : OpSupport.axis(n.attrInt("axis", 1), rank);
        if (in.has(2)) {
          x = x.sub(OpSupport.alongAxis(in.get(2).toType(scale.getDataType(), false), axis, rank));
        }
        return one(x.mul(OpSupport.alongAxis(scale, axis, rank)));
      }

      @Override
      public Optional<String> unsupported(Node n) {
        return n.attrInt("block_size", 0) != 0
            ? Optional.of("blocked quantization (block_size) is not supported") : Optional.empty();
      }
    });
    r.add("DynamicQuantizeLinear", 11, (n, in, ctx) -> {
      NDArray x = in.get(0);
      NDArray xd = x.stopGradient();
      NDArray min = xd.min().minimum(0f);
      NDArray max = xd.max().maximum(0f);
      NDArray scale = max.sub(min).div(255f);
      NDArray zp = min.neg().div(scale).round().clip(0, 255);
      NDArray q = roundStraightThrough(x.div(scale)).add(zp).clip(0, 255);
      return new NDList(q, scale, zp);
    });
  }

  /** @return {@code round(v)} in the forward pass, the identity in the backward pass */
  public static NDArray roundStraightThrough(NDArray v) {
    return v.add(v.round().sub(v).stopGradient());
  }
}
