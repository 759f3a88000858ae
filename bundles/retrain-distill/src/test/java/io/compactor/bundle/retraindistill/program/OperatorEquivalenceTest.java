package io.compactor.bundle.retraindistill.program;

import io.compactor.onnx.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One small model per converter family, several attribute variants each, against ONNX Runtime. */
class OperatorEquivalenceTest {
  private static final Tensor IMAGES = ProgramModels.data(11, 2, 3, 9, 8);

  @Test
  void poolsMatch() {
    ProgramModels b = new ProgramModels("pools", 13, 1);
    String x = b.input("x", -1, 3, 9, 8);
    String max = b.op("MaxPool", n -> {
      n.setAttr("kernel_shape", new long[] {3, 3});
      n.setAttr("strides", new long[] {2, 2});
      n.setAttr("pads", new long[] {1, 1, 1, 1});
    }, x);
    String maxAsym = b.op("MaxPool", n -> {
      n.setAttr("kernel_shape", new long[] {2, 3});
      n.setAttr("pads", new long[] {0, 1, 1, 2});
    }, x);
    String maxCeil = b.op("MaxPool", n -> {
      n.setAttr("kernel_shape", new long[] {2, 2});
      n.setAttr("strides", new long[] {2, 2});
      n.setAttr("ceil_mode", 1L);
    }, x);
    String avg = b.op("AveragePool", n -> {
      n.setAttr("kernel_shape", new long[] {3, 3});
      n.setAttr("pads", new long[] {1, 1, 1, 1});
    }, x);
    String avgInclude = b.op("AveragePool", n -> {
      n.setAttr("kernel_shape", new long[] {3, 3});
      n.setAttr("strides", new long[] {2, 1});
      n.setAttr("pads", new long[] {1, 1, 1, 1});
      n.setAttr("count_include_pad", 1L);
    }, x);
    String avgAsym = b.op("AveragePool", n -> {
      n.setAttr("kernel_shape", new long[] {2, 2});
      n.setAttr("pads", new long[] {1, 0, 0, 1});
    }, x);
    String avgSame = b.op("AveragePool", n -> {
      n.setAttr("kernel_shape", new long[] {3, 3});
      n.setAttr("strides", new long[] {2, 2});
      n.setAttr("auto_pad", "SAME_UPPER");
    }, x);
    String gap = b.op("GlobalAveragePool", x);
    String gmp = b.op("GlobalMaxPool", x);
    Equivalence.check(b.outputs(max, maxAsym, maxCeil, avg, avgInclude, avgAsym, avgSame, gap, gmp), Map.of("x", IMAGES));
  }

  @Test
  void normsMatch() {
    ProgramModels b = new ProgramModels("norms", 17, 2);
    String x = b.input("x", -1, 3, 9, 8);
    String bn = b.batchNorm(x, 3);
    String ln = b.op("LayerNormalization", n -> n.setAttr("epsilon", 1e-5f), x, b.uniform("g", 0.5f, 1.5f, 8),
        b.weight("beta", 0.1f, 8));
    String ln2 = b.op("LayerNormalization", n -> n.setAttr("axis", -2L), x, b.uniform("g2", 0.5f, 1.5f, 9, 8));
    Equivalence.check(b.outputs(bn, ln, ln2), Map.of("x", IMAGES));
  }

  @Test
  void activationsMatch() {
    ProgramModels b = new ProgramModels("activations", 20, 3);
    String x = b.input("x", -1, 3, 9, 8);
    List<String> outs = new java.util.ArrayList<>();
    for (String op : List.of("Relu", "Sigmoid", "Tanh", "Erf", "Softplus", "HardSwish", "Gelu")) {
      outs.add(b.op(op, x));
    }
    outs.add(b.op("LeakyRelu", n -> n.setAttr("alpha", 0.1f), x));
    outs.add(b.op("Elu", x));
    outs.add(b.op("HardSigmoid", n -> {
      n.setAttr("alpha", 1f / 6);
      n.setAttr("beta", 0.5f);
    }, x));
    outs.add(b.op("Clip", x, b.scalar("lo", 0f), b.scalar("hi", 6f)));
    outs.add(b.op("Clip", x, "", b.scalar("hi2", 0.5f)));
    outs.add(b.op("Softmax", n -> n.setAttr("axis", 1L), x));
    outs.add(b.op("Softmax", x));
    outs.add(b.op("LogSoftmax", x));
    Equivalence.check(b.outputs(outs.toArray(String[]::new)), Map.of("x", IMAGES));
  }

  @Test
  void oldOpsetSoftmaxAndClipMatch() {
    ProgramModels b = new ProgramModels("opset 9", 9, 4);
    String x = b.input("x", -1, 3, 9, 8);
    String soft = b.op("Softmax", n -> n.setAttr("axis", 1L), x);
    String soft2 = b.op("Softmax", x);
    String clip = b.op("Clip", n -> {
      n.setAttr("min", 0f);
      n.setAttr("max", 6f);
    }, x);
    String reduce = b.op("ReduceMean", n -> n.setAttr("axes", new long[] {2, 3}), x);
    String squeezed = b.op("Squeeze", n -> n.setAttr("axes", new long[] {3}),
        b.op("Unsqueeze", n -> n.setAttr("axes", new long[] {3}), x));
    String sliced = b.op("Slice", n -> {
      n.setAttr("starts", new long[] {1, -5});
      n.setAttr("ends", new long[] {100, -1});
      n.setAttr("axes", new long[] {1, 3});
    }, x);
    Equivalence.check(b.outputs(soft, soft2, clip, reduce, squeezed, sliced), Map.of("x", IMAGES));
  }

  @Test
  void arithmeticBroadcastsAndComparesLikeOnnx() {
    ProgramModels b = new ProgramModels("arithmetic", 13, 5);
    String x = b.input("x", -1, 3, 9, 8);
    String row = b.weight("row", 1f, 8);
    String channel = b.uniform("channel", 0.5f, 2f, 3, 1, 1);
    List<String> outs = new java.util.ArrayList<>();
    outs.add(b.op("Add", x, row));
    outs.add(b.op("Sub", channel, x));
    outs.add(b.op("Mul", x, channel));
    outs.add(b.op("Div", x, channel));
    String pos = b.op("Abs", x);
    outs.add(b.op("Pow", pos, b.scalar("two", 2f)));
    outs.add(b.op("Pow", pos, b.scalar("half", 0.5f)));
    outs.add(b.op("Sqrt", pos));
    outs.add(b.op("Neg", x));
    outs.add(b.op("Exp", x));
    outs.add(b.op("Log", b.op("Add", pos, b.scalar("one", 1f))));
    outs.add(b.op("Reciprocal", b.op("Add", pos, "one")));
    outs.add(b.op("Max", x, row));
    outs.add(b.op("Min", x, row, channel));
    outs.add(b.op("Sum", x, row, channel));
    outs.add(b.op("Where", b.op("Greater", x, row), x, b.op("Mul", x, b.scalar("tenth", 0.1f))));
    outs.add(b.op("Cast", n -> n.setAttr("to", 1L), b.op("Equal", b.op("Floor", x), b.op("Ceil", x))));
    outs.add(b.op("Cast", n -> n.setAttr("to", 1L), b.op("Not", b.op("Less", x, row))));
    Equivalence.check(b.outputs(outs.toArray(String[]::new)), Map.of("x", IMAGES));
  }

  @Test
  void reductionsAndMatricesMatch() {
    ProgramModels b = new ProgramModels("reduce and linear", 18, 6);
    String x = b.input("x", -1, 5, 8);
    List<String> outs = new java.util.ArrayList<>();
    outs.add(b.op("ReduceMean", x, b.longs("last", -1)));
    outs.add(b.op("ReduceSum", n -> n.setAttr("keepdims", 0L), x, b.longs("axes01", 0, 2)));
    outs.add(b.op("ReduceMax", x, b.longs("mid", 1)));
    outs.add(b.op("ReduceMin", n -> n.setAttr("keepdims", 0L), x));
    outs.add(b.op("MatMul", x, b.weight("w", 0.3f, 8, 6)));
    outs.add(b.op("MatMul", b.weight("left", 0.3f, 4, 5), x));
    String flat = b.op("Flatten", x);
    outs.add(b.op("Gemm", n -> n.setAttr("transB", 1L), flat, b.weight("gw", 0.2f, 7, 40), b.weight("gb", 0.1f, 7)));
    outs.add(b.op("Gemm", n -> {
      n.setAttr("alpha", 0.5f);
      n.setAttr("beta", 2f);
    }, flat, b.weight("gw2", 0.2f, 40, 3), b.weight("gb2", 0.1f, 1, 3)));
    Equivalence.check(b.outputs(outs.toArray(String[]::new)), Map.of("x", ProgramModels.data(12, 2, 5, 8)));
  }

  @Test
  void shapeOperatorsMatch() {
    ProgramModels b = new ProgramModels("shapes", 13, 7);
    String x = b.input("x", -1, 6, 4);
    List<String> outs = new java.util.ArrayList<>();
    String shape = b.op("Shape", x);
    String batch = b.op("Gather", n -> n.setAttr("axis", 0L), shape, constantScalar(b, "zero", 0));
    String dims = b.op("Concat", n -> n.setAttr("axis", 0L), b.op("Unsqueeze", batch, b.longs("ax0", 0)),
        b.longs("rest", 3, 8));
    outs.add(b.op("Reshape", x, dims));
    outs.add(b.op("Reshape", x, b.longs("zeroes", 0, 0, -1, 2)));
    outs.add(b.op("Transpose", n -> n.setAttr("perm", new long[] {2, 0, 1}), x));
    outs.add(b.op("Transpose", x));
    outs.add(b.op("Flatten", n -> n.setAttr("axis", 2L), x));
    List<String> parts = b.multi("Split", 2, n -> n.setAttr("axis", 1L), x, b.longs("sizes", 2, 4));
    outs.addAll(parts);
    List<String> halves = b.multi("Split", 2, n -> n.setAttr("axis", -1L), x);
    outs.addAll(halves);
    outs.add(b.op("Gather", n -> n.setAttr("axis", 1L), x,
        b.constant("idx", Tensor.ofInt64s(new long[] {2, 2}, 0, -1, 3, 3))));
    outs.add(b.op("Slice", x, b.longs("s0", 1, 0), b.longs("e0", 5, 4), b.longs("a0", 1, 2), b.longs("st", 2, 3)));
    outs.add(b.op("Expand", b.op("Unsqueeze", x, b.longs("ax3", 3)), b.longs("big", 1, 1, 1, 3)));
    outs.add(b.op("Tile", x, b.longs("reps", 1, 2, 1)));
    outs.add(b.op("Pad", x, b.longs("pads", 0, 1, 0, 0, 2, 1), b.scalar("padv", 0.5f)));
    outs.add(b.op("Add", x, b.op("ConstantOfShape", n -> n.setAttr("value", Tensor.ofFloats(new long[] {1}, 2f)),
        b.longs("cshape", 6, 4))));
    outs.add(b.op("Add", x, b.op("Cast", n -> n.setAttr("to", 1L), b.op("Range", constantScalar(b, "r0", 0),
        constantScalar(b, "r1", 4), constantScalar(b, "r2", 1)))));
    outs.add(b.op("Squeeze", b.op("Unsqueeze", x, b.longs("ax1", 1)), b.longs("sq1", 1)));
    outs.add(b.op("Identity", b.op("Dropout", x)));
    outs.add(b.op("Cast", n -> n.setAttr("to", 1L), b.op("Size", x)));
    Equivalence.check(b.outputs(outs.toArray(String[]::new)), Map.of("x", ProgramModels.data(13, 2, 6, 4)));
  }

  @Test
  void fakeQuantizationMatches() {
    ProgramModels b = new ProgramModels("fake quant", 13, 8);
    String x = b.input("x", -1, 4, 5, 5);
    String scale = b.scalar("s", 0.02f);
    String zp = b.constant("zp", Tensor.ofUint8s(new long[0], (byte) 128));
    String fq = b.op("DequantizeLinear", b.op("QuantizeLinear", x, scale, zp), scale, zp);
    String sScale = b.scalar("ss", 0.05f);
    String sZp = b.constant("szp", Tensor.ofInt8s(new long[0], (byte) 3));
    String signed = b.op("DequantizeLinear", b.op("QuantizeLinear", x, sScale, sZp), sScale, sZp);
    String channels = b.constant("cs", Tensor.ofFloats(new long[] {4}, 0.01f, 0.02f, 0.03f, 0.04f));
    String czp = b.constant("czp", Tensor.ofInt8s(new long[] {4}, new byte[4]));
    String perAxis = b.op("DequantizeLinear", n -> n.setAttr("axis", 1L),
        b.op("QuantizeLinear", n -> n.setAttr("axis", 1L), x, channels, czp), channels, czp);
    String codes = b.constant("codes", Tensor.ofInt8s(new long[] {4, 4, 1, 1}, new byte[] {
        1, -2, 3, -4, 5, -6, 7, -8, 9, -10, 11, -12, 13, -14, 15, -16}));
    String weights = b.op("DequantizeLinear", n -> n.setAttr("axis", 0L), codes, channels, czp);
    String conv = b.op("Conv", fq, weights);
    List<String> dyn = b.multi("DynamicQuantizeLinear", 3, n -> {}, x);
    String dynamic = b.op("DequantizeLinear", dyn.get(0), dyn.get(1), dyn.get(2));
    Equivalence.check(b.outputs(fq, signed, perAxis, conv, dynamic), Map.of("x", ProgramModels.data(14, 2, 4, 5, 5)));
  }

  private static String constantScalar(ProgramModels b, String name, long value) {
    return b.constant(name, Tensor.ofInt64s(new long[0], value));
  }
}
