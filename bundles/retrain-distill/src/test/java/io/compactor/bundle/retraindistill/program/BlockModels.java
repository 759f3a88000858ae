package io.compactor.bundle.retraindistill.program;

import io.compactor.onnx.graph.OnnxModel;

/**
 * Whole blocks of well-known CNNs built in code: torchvision-style ResNet basic and bottleneck blocks,
 * a MobileNetV2 inverted residual, and a PP-OCR-style squeeze-excitation block with hard-swish.
 */
final class BlockModels {
  private BlockModels() {}

  /** ResNet: stem, a basic block (two 3x3 Conv+BN, identity Add), a strided bottleneck with projection, head. */
  static OnnxModel resnet() {
    ProgramModels b = new ProgramModels("resnet blocks", 13, 21);
    String x = b.input("x", -1, 3, 16, 16);
    String stem = b.op("Relu", b.batchNorm(b.conv(x, 3, 16, 3, 1, false, ProgramModels.conv(1, 1)), 16));
    String pool = b.op("MaxPool", n -> {
      n.setAttr("kernel_shape", new long[] {3, 3});
      n.setAttr("strides", new long[] {2, 2});
      n.setAttr("pads", new long[] {1, 1, 1, 1});
    }, stem);
    String a = b.op("Relu", b.batchNorm(b.conv(pool, 16, 16, 3, 1, false, ProgramModels.pads(1)), 16));
    String basic = b.op("Relu", b.op("Add", b.batchNorm(b.conv(a, 16, 16, 3, 1, false, ProgramModels.pads(1)), 16), pool));
    String r = b.op("Relu", b.batchNorm(b.conv(basic, 16, 8, 1, 1, false, ProgramModels.pads(0)), 8));
    String m = b.op("Relu", b.batchNorm(b.conv(r, 8, 8, 3, 1, false, ProgramModels.conv(1, 2)), 8));
    String e = b.batchNorm(b.conv(m, 8, 32, 1, 1, false, ProgramModels.pads(0)), 32);
    String shortcut = b.batchNorm(b.conv(basic, 16, 32, 1, 1, false, ProgramModels.conv(0, 2)), 32);
    String bottleneck = b.op("Relu", b.op("Add", e, shortcut));
    String flat = b.op("Flatten", b.op("GlobalAveragePool", bottleneck));
    String logits = b.op("Gemm", n -> n.setAttr("transB", 1L), flat, b.weight("fc.w", 0.2f, 10, 32), b.weight("fc.b", 0.1f, 10));
    return b.outputs(logits);
  }

  /** MobileNetV2: expand 1x1 + BN + ReLU6 (Clip), depthwise 3x3 + BN + ReLU6, project 1x1 + BN, residual Add. */
  static OnnxModel mobileNetV2() {
    ProgramModels b = new ProgramModels("mobilenetv2 block", 13, 22);
    String x = b.input("x", -1, 8, 12, 12);
    String lo = b.scalar("six.lo", 0f);
    String hi = b.scalar("six.hi", 6f);
    String expand = b.op("Clip", b.batchNorm(b.conv(x, 8, 48, 1, 1, false, ProgramModels.pads(0)), 48), lo, hi);
    String dw = b.op("Clip", b.batchNorm(b.conv(expand, 48, 48, 3, 48, false, ProgramModels.pads(1)), 48), lo, hi);
    String project = b.batchNorm(b.conv(dw, 48, 8, 1, 1, false, ProgramModels.pads(0)), 8);
    String residual = b.op("Add", x, project);
    String strided = b.op("Clip", b.batchNorm(b.conv(residual, 8, 8, 3, 8, false, ProgramModels.conv(1, 2)), 8), lo, hi);
    String flat = b.op("Reshape", b.op("GlobalAveragePool", strided), b.longs("flat", 0, -1));
    String logits = b.op("Softmax", b.op("Gemm", n -> n.setAttr("transB", 1L), flat, b.weight("fc.w", 0.3f, 5, 8)));
    return b.outputs(logits, residual);
  }

  /**
   * PP-OCR's direction classifier, as Paddle2ONNX writes it (opset 9): Conv+BN, hard-swish written as
   * {@code x · clip(x + 3, 0, 6) / 6} with attribute Clip, a depthwise Conv, squeeze-excitation (global average
   * pool, 1x1 Conv + Relu, 1x1 Conv + HardSigmoid, Mul), MaxPool and a MatMul + Softmax head.
   */
  static OnnxModel ocrClassifier() {
    ProgramModels b = new ProgramModels("ppocr classifier block", 9, 23);
    String x = b.input("x", -1, 3, 16, 32);
    String stem = hardSwish(b, b.batchNorm(b.conv(x, 3, 8, 3, 1, false, ProgramModels.conv(1, 2)), 8));
    String dw = hardSwish(b, b.batchNorm(b.conv(stem, 8, 8, 3, 8, false, ProgramModels.pads(1)), 8));
    String squeezed = b.op("GlobalAveragePool", dw);
    String reduce = b.op("Relu", b.conv(squeezed, 8, 4, 1, 1, true, ProgramModels.pads(0)));
    String gate = b.op("HardSigmoid", n -> {
      n.setAttr("alpha", 0.2f);
      n.setAttr("beta", 0.5f);
    }, b.conv(reduce, 4, 8, 1, 1, true, ProgramModels.pads(0)));
    String excited = b.op("Mul", dw, gate);
    String point = b.op("Relu", b.batchNorm(b.conv(excited, 8, 16, 1, 1, false, ProgramModels.pads(0)), 16));
    String pooled = b.op("MaxPool", n -> {
      n.setAttr("kernel_shape", new long[] {2, 2});
      n.setAttr("strides", new long[] {2, 2});
    }, point);
    String gap = b.op("Squeeze", n -> n.setAttr("axes", new long[] {2, 3}), b.op("GlobalAveragePool", pooled));
    String logits = b.op("Add", b.op("MatMul", gap, b.weight("fc.w", 0.3f, 16, 2)), b.weight("fc.b", 0.1f, 2));
    return b.outputs(b.op("Softmax", logits));
  }

  private static String hardSwish(ProgramModels b, String x) {
    String three = b.scalar("three" + x, 3f);
    String six = b.scalar("six" + x, 6f);
    String clipped = b.op("Clip", n -> {
      n.setAttr("min", 0f);
      n.setAttr("max", 6f);
    }, b.op("Add", x, three));
    return b.op("Div", b.op("Mul", x, clipped), six);
  }
}
