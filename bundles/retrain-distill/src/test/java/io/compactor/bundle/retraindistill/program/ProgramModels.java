package io.compactor.bundle.retraindistill.program;

import io.compactor.onnx.fixtures.TestModels;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.graph.ValueInfo;
import io.compactor.onnx.tensor.ElementType;
import io.compactor.onnx.tensor.Tensor;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/** A small builder for test models made in code: inputs, seeded weights and nodes with one output each. */
final class ProgramModels {
  private final OnnxModel model;
  private final Graph g;
  private final Random random;
  private int counter;

  ProgramModels(String name, long opset, long seed) {
    model = OnnxModel.create(name, opset);
    g = model.graph();
    random = new Random(seed);
  }

  /** @return a FLOAT graph input with a free batch axis */
  String input(String name, long... shape) {
    g.addInput(ValueInfo.of(name, ElementType.FLOAT, shape));
    return name;
  }

  /** @return an INT64 graph input */
  String longInput(String name, long... shape) {
    g.addInput(ValueInfo.of(name, ElementType.INT64, shape));
    return name;
  }

  /** @return a Gaussian FLOAT initializer */
  String weight(String name, float std, long... shape) {
    g.setInitializer(name, TestModels.gaussian(random, std, shape));
    return name;
  }

  /** @return a uniform FLOAT initializer in {@code [lo, hi)} */
  String uniform(String name, float lo, float hi, long... shape) {
    g.setInitializer(name, TestModels.uniform(random, lo, hi, shape));
    return name;
  }

  /** @return an initializer holding {@code value} */
  String constant(String name, Tensor value) {
    g.setInitializer(name, value);
    return name;
  }

  /** @return a 1-D INT64 initializer */
  String longs(String name, long... values) {
    return constant(name, Tensor.ofInt64s(new long[] {values.length}, values));
  }

  /** @return a FLOAT scalar initializer */
  String scalar(String name, float value) {
    return constant(name, Tensor.scalar(value));
  }

  /** Adds a node; {@code ""} marks an omitted input. @return its output's name */
  String op(String op, Consumer<Node> attributes, String... inputs) {
    String name = op.toLowerCase() + (++counter);
    TestModels.node(g, op, name, List.of(inputs), name + ".out", attributes);
    return name + ".out";
  }

  String op(String op, String... inputs) {
    return op(op, n -> {}, inputs);
  }

  /** Adds a node with several outputs. @return the output names */
  List<String> multi(String op, int outputs, Consumer<Node> attributes, String... inputs) {
    String name = op.toLowerCase() + (++counter);
    List<String> outs = new java.util.ArrayList<>();
    for (int i = 0; i < outputs; i++) {
      outs.add(name + ".out" + i);
    }
    Node n = Node.create(op, name, List.of(inputs), outs);
    attributes.accept(n);
    g.addNode(n);
    return outs;
  }

  /** Marks the outputs and returns the model. */
  OnnxModel outputs(String... names) {
    for (String n : names) {
      g.addOutput(ValueInfo.named(n));
    }
    return model;
  }

  /** Conv (+ optional bias) from {@code cin} to {@code cout} channels. @return its output */
  String conv(String x, int cin, int cout, int k, int group, boolean bias, Consumer<Node> attributes) {
    String base = "conv" + (counter + 1);
    String w = weight(base + ".w", (float) Math.sqrt(2.0 / (cin / group * k * k)), cout, cin / group, k, k);
    Consumer<Node> attrs = group == 1 ? attributes : attributes.andThen(n -> n.setAttr("group", (long) group));
    return bias ? op("Conv", attrs, x, w, weight(base + ".b", 0.1f, cout)) : op("Conv", attrs, x, w);
  }

  /** BatchNormalization with random statistics. @return its output */
  String batchNorm(String x, int c) {
    String base = "bn" + (counter + 1);
    return op("BatchNormalization", n -> n.setAttr("epsilon", 1e-5f), x, uniform(base + ".scale", 0.5f, 1.5f, c),
        weight(base + ".bias", 0.1f, c), weight(base + ".mean", 0.1f, c), uniform(base + ".var", 0.5f, 1.5f, c));
  }

  static Consumer<Node> pads(long p) {
    return n -> n.setAttr("pads", new long[] {p, p, p, p});
  }

  static Consumer<Node> conv(long pad, long stride) {
    return n -> {
      n.setAttr("pads", new long[] {pad, pad, pad, pad});
      n.setAttr("strides", new long[] {stride, stride});
    };
  }

  /** @return a Gaussian FLOAT tensor, seeded */
  static Tensor data(long seed, long... shape) {
    return TestModels.gaussian(new Random(seed), 1f, shape);
  }
}
