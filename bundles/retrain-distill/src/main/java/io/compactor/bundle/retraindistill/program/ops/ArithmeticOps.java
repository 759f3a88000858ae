package io.compactor.bundle.retraindistill.program.ops;

import static io.compactor.bundle.retraindistill.program.ops.OpSupport.one;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.DataType;
import io.compactor.bundle.retraindistill.program.ConverterRegistry;
import io.compactor.bundle.retraindistill.program.OpConverter;
import java.util.List;
import java.util.function.BinaryOperator;
import java.util.function.UnaryOperator;

/**
 * Element-wise arithmetic, comparison and logic with ONNX (numpy) broadcasting: Add, Sub, Mul, Div, Pow, Sqrt,
 * Neg, Abs, Exp, Log, Reciprocal, Floor, Ceil, Max, Min, Sum, Mean, Equal, Less(OrEqual), Greater(OrEqual), Not,
 * And, Or, Xor, Where.
 */
public final class ArithmeticOps {
  private ArithmeticOps() {}

  public static void register(ConverterRegistry.Builder r) {
    for (long v : new long[] {1, 7}) {
      r.add("Add", v, binary(NDArray::add));
      r.add("Sub", v, binary(NDArray::sub));
      r.add("Mul", v, binary(NDArray::mul));
      r.add("Div", v, binary(ArithmeticOps::divide));
      r.add("Pow", v, binary(ArithmeticOps::power));
    }
    r.add("Sqrt", 1, unary(NDArray::sqrt));
    r.add("Neg", 1, unary(NDArray::neg));
    r.add("Abs", 1, unary(NDArray::abs));
    r.add("Exp", 1, unary(NDArray::exp));
    r.add("Log", 1, unary(NDArray::log));
    r.add("Reciprocal", 1, unary(x -> x.pow(-1)));
    r.add("Floor", 1, unary(NDArray::floor));
    r.add("Ceil", 1, unary(NDArray::ceil));
    r.add("Max", 1, variadic(NDArray::maximum));
    r.add("Min", 1, variadic(NDArray::minimum));
    r.add("Sum", 1, variadic(NDArray::add));
    r.add("Mean", 1, (n, in, ctx) -> {
      List<NDArray> xs = in.from(0);
      NDArray sum = xs.get(0);
      for (int i = 1; i < xs.size(); i++) {
        sum = sum.add(xs.get(i));
      }
      return one(sum.div(xs.size()));
    });
    r.add("Equal", 1, binary(NDArray::eq));
    r.add("Less", 1, binary(NDArray::lt));
    r.add("LessOrEqual", 12, binary(NDArray::lte));
    r.add("Greater", 1, binary(NDArray::gt));
    r.add("GreaterOrEqual", 12, binary(NDArray::gte));
    r.add("Not", 1, unary(NDArray::logicalNot));
    r.add("And", 1, binary(NDArray::logicalAnd));
    r.add("Or", 1, binary(NDArray::logicalOr));
    r.add("Xor", 1, binary(NDArray::logicalXor));
    r.add("Where", 9, (n, in, ctx) -> {
      NDArray cond = in.get(0);
      if (cond.getDataType() != DataType.BOOLEAN) {
        cond = cond.toType(DataType.BOOLEAN, false);
      }
      return one(NDArrays.where(cond, in.get(1), in.get(2)));
    });
  }

  /** Integer division truncates in ONNX; libtorch divides integers into floats. */
  private static NDArray divide(NDArray a, NDArray b) {
    NDArray q = a.div(b);
    return a.getDataType().isInteger() && b.getDataType().isInteger() ? q.toType(a.getDataType(), false) : q;
  }

  /** ONNX's Pow keeps the base's type whatever the exponent's. */
  private static NDArray power(NDArray a, NDArray b) {
    if (b.size() == 1 && b.getDataType().isFloating() && a.getDataType().isFloating()) {
      double e = b.toType(DataType.FLOAT64, false).toDoubleArray()[0];
      if (e == 2.0) {
        return a.mul(a);
      }
    }
    NDArray p = a.pow(b);
    return p.getDataType() == a.getDataType() ? p : p.toType(a.getDataType(), false);
  }

  static OpConverter unary(UnaryOperator<NDArray> f) {
    return (n, in, ctx) -> one(f.apply(in.get(0)));
  }

  static OpConverter binary(BinaryOperator<NDArray> f) {
    return (n, in, ctx) -> one(f.apply(in.get(0), in.get(1)));
  }

  private static OpConverter variadic(BinaryOperator<NDArray> f) {
    return (n, in, ctx) -> {
      List<NDArray> xs = in.from(0);
      NDArray acc = xs.get(0);
      for (int i = 1; i < xs.size(); i++) {
        acc = f.apply(acc, xs.get(i));
      }
      return one(acc);
    };
  }
}
