package io.compactor.bundle.prunefilter;

import java.util.Set;

/** Which ONNX ops treat every channel on its own, so pruned channels can pass through them. */
final class ChannelOps {
  /**
   * One data input, applied to each element on its own (extra inputs such as Clip's bounds are scalars).
   * AMCT's channel-unrelated lists, restricted to ops whose output has the shape of their input.
   */
  static final Set<String> ELEMENTWISE_UNARY = Set.of("Relu", "LeakyRelu", "Sigmoid", "HardSigmoid",
      "HardSwish", "Tanh", "Elu", "Selu", "Celu", "Gelu", "Mish", "Softplus", "Softsign", "ThresholdedRelu",
      "Shrink", "Clip", "Abs", "Neg", "Exp", "Log", "Sqrt", "Reciprocal", "Floor", "Ceil", "Round", "Sign", "Erf",
      "Sin", "Cos", "Acos", "Asin", "Atan", "Sinh", "Cosh", "Tan", "Identity", "Dropout", "Cast");

  /** Elementwise with several operands, broadcasting; operands carrying channels are paired channel by channel. */
  static final Set<String> ELEMENTWISE_NARY = Set.of("Add", "Sub", "Mul", "Div", "Max", "Min", "Sum", "Mean",
      "Pow", "PRelu");

  /** Work within each channel's spatial plane; need the channels on axis 1. */
  static final Set<String> SPATIAL = Set.of("MaxPool", "AveragePool", "LpPool", "GlobalAveragePool",
      "GlobalMaxPool", "GlobalLpPool");

  /** Normalize along one axis; pass-through only when that axis is not the channel axis. */
  static final Set<String> AXIS_NORMALIZING = Set.of("Softmax", "LogSoftmax", "Hardmax");

  /** Reduce some axes; pass-through when they keep dimensions and spare the channel axis. */
  static final Set<String> REDUCING = Set.of("ReduceMean", "ReduceMax", "ReduceMin", "ReduceSum", "ReduceProd",
      "ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare");

  /** The linear ops whose filters can be removed (the method's op types). */
  static final Set<String> PRODUCERS = Set.of("Conv", "Gemm", "MatMul");

  private ChannelOps() {}
}
