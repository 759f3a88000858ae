package io.compactor.bundle.retraindistill.program.ops;

import static io.compactor.bundle.retraindistill.program.ops.ArithmeticOps.unary;
import static io.compactor.bundle.retraindistill.program.ops.OpSupport.one;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import io.compactor.bundle.retraindistill.program.ConverterRegistry;
import io.compactor.bundle.retraindistill.program.OpContext;
import io.compactor.bundle.retraindistill.program.OpConverter;
import io.compactor.bundle.retraindistill.program.OpInputs;
import io.compactor.onnx.graph.Node;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * Activations: Relu, LeakyRelu, Elu, Sigmoid, Tanh, Softplus, HardSigmoid, HardSwish, Clip (attributes before
 * opset 11, inputs from 11), Erf, Gelu, Softmax and LogSoftmax (2-D coercion before 13, one axis from 13).
 */
public final class ActivationOps {
  private ActivationOps() {}

  public static void register(ConverterRegistry.Builder r) {
    r.add("Relu", 1, unary(Activation::relu));
    r.add("LeakyRelu", 1, (n, in, ctx) -> one(Activation.leakyRelu(in.get(0), n.attrFloat("alpha", 0.01f))));
    r.add("Elu", 1, (n, in, ctx) -> one(Activation.elu(in.get(0), n.attrFloat("alpha", 1f))));
    r.add("Sigmoid", 1, unary(Activation::sigmoid));
    r.add("Tanh", 1, unary(NDArray::tanh));
    r.add("Softplus", 1, unary(Activation::softPlus));
    r.add("Erf", 9, unary(NDArray::erf));
    r.add("HardSigmoid", 1, (n, in, ctx) ->
        one(in.get(0).mul(n.attrFloat("alpha", 0.2f)).add(n.attrFloat("beta", 0.5f)).clip(0, 1)));
    r.add("HardSwish", 14, (n, in, ctx) -> {
      NDArray x = in.get(0);
      return one(x.mul(x.div(6f).add(0.5f).clip(0, 1)));
    });
    r.add("Clip", 1, (n, in, ctx) ->
        one(in.get(0).clip(n.attrFloat("min", -Float.MAX_VALUE), n.attrFloat("max", Float.MAX_VALUE))));
    r.add("Clip", 11, (n, in, ctx) -> {
      NDArray x = in.get(0);
      if (x.getDataType().isInteger()) {
        NDArray y = x;
        y = in.has(1) ? y.maximum(in.get(1)) : y;
        return one(in.has(2) ? y.minimum(in.get(2)) : y);
      }
      double lo = in.has(1) ? in.scalar(1) : -Float.MAX_VALUE;
      double hi = in.has(2) ? in.scalar(2) : Float.MAX_VALUE;
      return one(x.clip(lo, hi));
    });
    r.add("Gelu", 20, new OpConverter() {
      @Override
      public NDList apply(Node n, OpInputs in, OpContext ctx) {
        return one(Activation.gelu(in.get(0)));
      }

      @Override
      public Optional<String> unsupported(Node n) {
        return OpSupport.onlyString(n, "approximate", "none");
      }
    });
    r.add("Softmax", 1, coerced(NDArray::softmax));
    r.add("Softmax", 13, axis(NDArray::softmax));
    r.add("LogSoftmax", 1, coerced(NDArray::logSoftmax));
    r.add("LogSoftmax", 13, axis(NDArray::logSoftmax));
  }

  /** Before opset 13 the input is flattened to 2-D at {@code axis} (default 1) and normalized per row. */
  private static OpConverter coerced(BiFunction<NDArray, Integer, NDArray> f) {
    return (n, in, ctx) -> {
      NDArray x = in.get(0);
      long[] shape = x.getShape().getShape();
      int axis = OpSupport.axis(n.attrInt("axis", 1), shape.length);
      if (axis == shape.length - 1) {
        return one(f.apply(x, -1));
      }
      NDArray flat = x.reshape(new Shape(OpSupport.product(shape, 0, axis), OpSupport.product(shape, axis,
          shape.length)));
      return one(f.apply(flat, 1).reshape(new Shape(shape)));
    };
  }

  private static OpConverter axis(BiFunction<NDArray, Integer, NDArray> f) {
    return (n, in, ctx) -> {
      NDArray x = in.get(0);
      return one(f.apply(x, OpSupport.axis(n.attrInt("axis", -1), x.getShape().dimension())));
    };
  }
}
