package io.compactor.bundle.retraindistill.program;

import io.compactor.onnx.graph.Node;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.retrain.fixtures.LayerModels;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Conv and ConvTranspose agree with ONNX Runtime over pads, strides, dilations, groups and auto_pad. */
class ConvEquivalenceTest {
  static Stream<Arguments> convolutions() {
    return Stream.of(
        Arguments.of("3x3 pads 1", 4, 8, 3, 1, true, ProgramModels.pads(1)),
        Arguments.of("no bias, stride 2", 4, 6, 3, 1, false, (Consumer<Node>) n -> n.setAttr("strides", new long[] {2, 2})),
        Arguments.of("asymmetric pads", 3, 5, 3, 1, true, (Consumer<Node>) n -> n.setAttr("pads", new long[] {0, 1, 2, 1})),
        Arguments.of("dilation 2", 4, 4, 3, 1, true, (Consumer<Node>) n -> {
          n.setAttr("dilations", new long[] {2, 2});
          n.setAttr("pads", new long[] {2, 2, 2, 2});
        }),
        Arguments.of("groups 2", 4, 6, 3, 2, true, ProgramModels.pads(0)),
        Arguments.of("depthwise stride 2", 8, 8, 3, 8, true, ProgramModels.conv(1, 2)),
        Arguments.of("SAME_UPPER stride 2", 3, 4, 3, 1, true, (Consumer<Node>) n -> {
          n.setAttr("auto_pad", "SAME_UPPER");
          n.setAttr("strides", new long[] {2, 2});
        }),
        Arguments.of("SAME_LOWER kernel 2", 3, 4, 2, 1, true, (Consumer<Node>) n -> n.setAttr("auto_pad", "SAME_LOWER")),
        Arguments.of("1x1 pointwise", 8, 16, 1, 1, true, (Consumer<Node>) n -> {}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("convolutions")
  void convMatchesOnnxRuntime(String name, int cin, int cout, int k, int group, boolean bias, Consumer<Node> attrs) {
    ProgramModels b = new ProgramModels("conv " + name, 13, 7);
    String x = b.input("x", -1, cin, 9, 10);
    OnnxModel model = b.outputs(b.conv(x, cin, cout, k, group, bias, attrs));
    Equivalence.check(model, Map.of("x", ProgramModels.data(3, 2, cin, 9, 10)));
  }

  @org.junit.jupiter.api.Test
  void conv1dMatchesOnnxRuntime() {
    ProgramModels b = new ProgramModels("conv1d", 13, 7);
    String x = b.input("x", -1, 4, 12);
    String y = b.op("Conv", n -> {
      n.setAttr("pads", new long[] {1, 2});
      n.setAttr("strides", new long[] {2});
    }, x, b.weight("w", 0.3f, 6, 4, 3), b.weight("b", 0.1f, 6));
    Equivalence.check(b.outputs(y), Map.of("x", ProgramModels.data(3, 2, 4, 12)));
  }

  static Stream<Arguments> transposed() {
    return Stream.of(
        Arguments.of("stride 2", (Consumer<Node>) n -> n.setAttr("strides", new long[] {2, 2})),
        Arguments.of("pads and output_padding", (Consumer<Node>) n -> {
          n.setAttr("strides", new long[] {2, 2});
          n.setAttr("pads", new long[] {1, 0, 0, 1});
          n.setAttr("output_padding", new long[] {1, 1});
        }),
        Arguments.of("dilation", (Consumer<Node>) n -> n.setAttr("dilations", new long[] {2, 1})));
  }

  @ParameterizedTest(name = "ConvTranspose {0}")
  @MethodSource("transposed")
  void convTransposeMatchesOnnxRuntime(String name, Consumer<Node> attrs) {
    OnnxModel model = LayerModels.convTranspose(5, 4, 6, 3, 3, 5, 6, attrs);
    Equivalence.check(model, Map.of("x", LayerModels.correlated(4, 2, 4, 5, 6)));
  }
}
