package io.compactor.retrain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.onnx.ModelException;
import io.compactor.onnx.fixtures.TestModels;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.runtime.ModelSession;
import io.compactor.onnx.tensor.Tensor;
import io.compactor.retrain.fixtures.LayerModels;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class LinearLayerTest {
  /** ONNX Runtime and the view sum in different orders; float32 outputs agree to about this. */
  private static final double FLOAT_TOLERANCE = 1e-4;

  private static Tensor run(OnnxModel model, Tensor x) {
    try (ModelSession s = ModelSession.open(model, 1)) {
      return s.run(Map.of("x", x)).get("y");
    }
  }

  /** The layer computed from the view: rows(x) · Wᵀ + b, compared with ONNX Runtime's output rows. */
  private static void assertViewReproducesRuntime(OnnxModel model, String node, Tensor x) {
    Graph g = model.graph();
    LinearLayer layer = LinearLayer.of(model.source(), g, g.node(node).orElseThrow());
    Tensor y = run(model, x);
    RowSource in = layer.inputRows(x);
    RowSource out = layer.outputRows(y);
    assertEquals(out.rows(), in.rows(), "rows of input and output align");
    DMatrix w = layer.weights(g);
    double[] b = layer.bias(g).orElse(new double[layer.outFeatures()]);
    float[] xr = new float[in.rows() * in.cols()];
    float[] yr = new float[out.rows() * out.cols()];
    in.fill(0, in.rows(), xr);
    out.fill(0, out.rows(), yr);
    double worst = 0;
    for (int r = 0; r < in.rows(); r++) {
      for (int o = 0; o < layer.outFeatures(); o++) {
        double s = b[o];
        for (int i = 0; i < layer.inFeatures(); i++) {
          s += w.get(o, i) * xr[r * in.cols() + i];
        }
        worst = Math.max(worst, Math.abs(s - yr[r * out.cols() + o]));
      }
    }
    assertTrue(worst < FLOAT_TOLERANCE, layer + " differs from ONNX Runtime by " + worst);
  }

  static Stream<Arguments> convolutions() {
    return Stream.of(
        Arguments.of("3x3 pads 1", 6, 3, 3, (Consumer<Node>) n -> n.setAttr("pads", new long[] {1, 1, 1, 1})),
        Arguments.of("stride 2, asymmetric pads", 4, 3, 3, (Consumer<Node>) n -> {
          n.setAttr("strides", new long[] {2, 2});
          n.setAttr("pads", new long[] {0, 1, 1, 0});
        }),
        Arguments.of("dilation 2, 3x2 kernel", 8, 3, 2, (Consumer<Node>) n -> n.setAttr("dilations", new long[] {2, 2})),
        Arguments.of("SAME_UPPER stride 2", 5, 3, 3, (Consumer<Node>) n -> {
          n.setAttr("auto_pad", "SAME_UPPER");
          n.setAttr("strides", new long[] {2, 2});
        }),
        Arguments.of("SAME_LOWER", 4, 2, 2, (Consumer<Node>) n -> n.setAttr("auto_pad", "SAME_LOWER")),
        Arguments.of("VALID 1x1", 7, 1, 1, (Consumer<Node>) n -> n.setAttr("auto_pad", "VALID")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("convolutions")
  void im2colTimesWeightsEqualsTheConvolutionOfOnnxRuntime(String name, int cin, int kh, int kw, Consumer<Node> attrs) {
    OnnxModel model = LayerModels.conv(31, cin, 5, kh, kw, 7, 6, true, attrs);
    assertViewReproducesRuntime(model, "conv", LayerModels.correlated(32, 2, cin, 7, 6));
  }

  @Test
  void transposedConvolutionGathersWhatOnnxRuntimeScatters() {
    OnnxModel model = LayerModels.convTranspose(33, 4, 3, 3, 3, 5, 4, n -> {
      n.setAttr("strides", new long[] {2, 2});
      n.setAttr("pads", new long[] {1, 0, 1, 1});
      n.setAttr("output_padding", new long[] {1, 0});
      n.setAttr("dilations", new long[] {1, 2});
    });
    assertViewReproducesRuntime(model, "deconv", LayerModels.correlated(34, 2, 4, 5, 4));
  }

  static Stream<Arguments> gemms() {
    return Stream.of(
        Arguments.of(false, true, 1f, 1f, new long[] {6}),
        Arguments.of(false, false, 0.5f, 2f, new long[] {1, 6}),
        Arguments.of(true, true, 1.5f, 0.5f, new long[] {6}),
        Arguments.of(true, false, 1f, 1f, null));
  }

  @ParameterizedTest(name = "transA={0} transB={1} alpha={2} beta={3}")
  @MethodSource("gemms")
  void gemmViewFoldsTranspositionsAlphaAndBeta(boolean transA, boolean transB, float alpha, float beta, long[] c) {
    OnnxModel model = LayerModels.gemm(35, 8, 6, transA, transB, alpha, beta, c);
    Tensor x = TestModels.gaussian(new Random(36), 1f, transA ? new long[] {8, 5} : new long[] {5, 8});
    assertViewReproducesRuntime(model, "fc", x);
  }

  @Test
  void matMulOfAnyRankWithItsBiasAdd() {
    OnnxModel model = LayerModels.matMulAdd(37, 4, 8, 12);
    LinearLayer layer = LinearLayer.of("m", model.graph(), model.graph().node("proj").orElseThrow());
    assertEquals("y", layer.outputValue());
    assertEquals(Optional.of("proj.b"), layer.biasSlot().initializer());
    assertTrue(layer.biasSlot().writable());
    assertViewReproducesRuntime(model, "proj", LayerModels.correlated(38, 3, 4, 8));
  }

  @Test
  void writingBackTheWeightsRestoresTheTensorExactly() {
    for (OnnxModel model : List.of(LayerModels.conv(39, 6, 4, 3, 3, 5, 5, true, n -> {}),
        LayerModels.convTranspose(40, 4, 3, 2, 2, 3, 3, n -> {}), LayerModels.gemm(41, 8, 6, false, false, 1f, 1f, null),
        LayerModels.matMulAdd(42, 2, 8, 4))) {
      Graph g = model.graph();
      Node node = g.nodes().get(0);
      LinearLayer layer = LinearLayer.of("m", g, node);
      Tensor before = g.initializer(node.input(1)).orElseThrow();
      layer.setWeights(g, layer.weights(g));
      assertEquals(before, g.initializer(node.input(1)).orElseThrow(), node.name());
    }
  }

  @Test
  void convolutionColumnsRunOverInputChannelsAtEachKernelTap() {
    OnnxModel model = LayerModels.conv(43, 8, 2, 3, 3, 5, 5, false, n -> {});
    Graph g = model.graph();
    LinearLayer layer = LinearLayer.of("m", g, g.node("conv").orElseThrow());
    float[] w = g.initializer("conv.w").orElseThrow().floats();
    DMatrix m = layer.weights(g);
    for (int c = 0; c < 8; c++) {
      // cout 1, cin c, kh 2, kw 0 -> tap 6
      assertEquals(w[((1 * 8 + c) * 3 + 2) * 3], m.get(1, 6 * 8 + c));
    }
    ColumnGroups groups = layer.inputChannelGroups(4);
    assertEquals(18, groups.count());
    assertEquals(6 * 8 + 4, groups.start(13));
  }

  @Test
  void missingBiasIsCreatedWhenWritten() {
    OnnxModel model = LayerModels.conv(44, 4, 3, 1, 1, 3, 3, false, n -> {});
    Graph g = model.graph();
    LinearLayer layer = LinearLayer.of("m", g, g.node("conv").orElseThrow());
    assertTrue(layer.bias(g).isEmpty());
    assertTrue(layer.biasSlot().writable());
    Tensor x = LayerModels.correlated(45, 1, 4, 3, 3);
    float[] before = run(model, x).floats();
    layer.setBias(g, new double[] {1, 2, 3});
    float[] after = run(model, x).floats();
    assertEquals(before[0] + 1, after[0], 1e-5);
    assertEquals(before[9 * 2] + 3, after[9 * 2], 1e-5);
    assertArrayEquals(new double[] {1, 2, 3}, LinearLayer.of("m", g, g.node("conv").orElseThrow()).bias(g).orElseThrow());
  }

  @Test
  void unsupportedLayersSayWhy() {
    OnnxModel depthwise = LayerModels.conv(46, 1, 4, 3, 3, 5, 5, true, n -> n.setAttr("group", 4L));
    assertReason(depthwise, "conv", "depthwise convolution (group = 4)");
    OnnxModel shared = LayerModels.matMulAdd(47, 2, 4, 4);
    TestModels.node(shared.graph(), "MatMul", "again", List.of("y", "proj.w"), "z", n -> {});
    assertReason(shared, "proj", "weight 'proj.w' is shared with [again]");
    OnnxModel computed = LayerModels.matMulAdd(48, 2, 4, 4);
    TestModels.node(computed.graph(), "Identity", "id", List.of("proj.w"), "w.copy", n -> {});
    computed.graph().node("proj").orElseThrow().setInput(1, "w.copy");
    assertReason(computed, "proj", "weight 'w.copy' is computed by Identity 'id', not a constant initializer");
    OnnxModel transposed = LayerModels.convTranspose(49, 4, 4, 3, 3, 4, 4, n -> n.setAttr("output_shape", new long[] {8, 8}));
    assertReason(transposed, "deconv", "ConvTranspose with output_shape is not supported");
    ModelException e = assertThrows(ModelException.class,
        () -> LinearLayer.of("m.onnx", depthwise.graph(), depthwise.graph().node("conv").orElseThrow()));
    assertTrue(e.getMessage().startsWith("m.onnx: conv: depthwise"), e.getMessage());
  }

  private static void assertReason(OnnxModel model, String node, String reason) {
    Optional<String> why = LinearLayer.unsupported(model.graph(), model.graph().node(node).orElseThrow());
    assertTrue(why.isPresent() && why.get().startsWith(reason), "reason for " + node + ": " + why);
  }
}
