package io.compactor.bundle.retraindistill.program;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.onnx.fixtures.TestModels;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.tensor.Tensor;
import io.compactor.retrain.fixtures.LayerModels;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whole models run as programs agree with ONNX Runtime on the same inputs. */
class ModelEquivalenceTest {
  @Test
  void digitsStyleResidualCnn() {
    Equivalence.check(TestModels.residualCnn(3, false), Map.of("image", TestModels.images(4, 3)));
  }

  @Test
  void digitsStyleCnnWithWeightsInConstantNodes() {
    Equivalence.check(TestModels.residualCnn(5, true), Map.of("image", TestModels.images(6, 2)));
  }

  @Test
  void mixedCnnWithDepthwiseAndConvTranspose() {
    OnnxModel model = LayerModels.mixedCnn("mixed cnn", 9, 13, true);
    Equivalence.check(model, Map.of("x", LayerModels.correlated(10, 3, 4, 8, 8)));
  }

  @Test
  void resNetBasicAndBottleneckBlocks() {
    Equivalence.check(BlockModels.resnet(), Map.of("x", ProgramModels.data(31, 2, 3, 16, 16)));
  }

  @Test
  void mobileNetV2InvertedResidual() {
    Equivalence.check(BlockModels.mobileNetV2(), Map.of("x", ProgramModels.data(32, 2, 8, 12, 12)));
  }

  @Test
  void ppOcrClassifierBlockAtOpset9() {
    Equivalence.check(BlockModels.ocrClassifier(), Map.of("x", ProgramModels.data(33, 2, 3, 16, 32)));
  }

  /**
   * The INT8 step's fake-quant form of a CNN: a static QuantizeLinear/DequantizeLinear pair (UINT8 zero point)
   * in front of every Conv, ConvTranspose and Gemm, whose weights stay float (nearest-rounded), as
   * {@code ActivationQdq} writes it.
   */
  @Test
  void int8FakeQuantFormOfACnn() {
    OnnxModel model = LayerModels.mixedCnn("int8 fake-quant cnn", 9, 13, true);
    io.compactor.onnx.graph.Graph g = model.graph();
    float[] scales = {0.03f, 0.03f, 0.04f, 0.035f, 0.006f};
    byte[] zeroPoints = {(byte) 123, 0, 0, 0, 0};
    String[] layers = {"conv1", "conv2", "dw", "up", "fc"};
    for (int i = 0; i < layers.length; i++) {
      io.compactor.onnx.graph.Node layer = g.node(layers[i]).orElseThrow();
      String value = layer.input(0);
      g.setInitializer(value + "_scale", Tensor.scalar(scales[i]));
      g.setInitializer(value + "_zp", Tensor.ofUint8s(new long[0], zeroPoints[i]));
      io.compactor.onnx.graph.Node q = io.compactor.onnx.graph.Node.create("QuantizeLinear", value + "_q",
          List.of(value, value + "_scale", value + "_zp"), List.of(value + "_quantized"));
      io.compactor.onnx.graph.Node dq = io.compactor.onnx.graph.Node.create("DequantizeLinear", value + "_dq",
          List.of(value + "_quantized", value + "_scale", value + "_zp"), List.of(value + "_fakequant"));
      g.insertBefore(layer, q);
      g.insertBefore(layer, dq);
      layer.setInput(0, value + "_fakequant");
    }
    Equivalence.checkUnoptimized(model, Map.of("x", LayerModels.correlated(11, 4, 4, 8, 8)));
  }

  @Test
  void miniLmOnTokenizedSentences(@TempDir Path dir) {
    OnnxModel model = OnnxModel.load(TestModels.miniLm(dir));
    assertTrue(ConverterRegistry.standard().unsupported(model).isEmpty(),
        "MiniLM: " + ConverterRegistry.standard().unsupported(model));
    io.compactor.onnx.text.WordPieceTokenizer tokenizer =
        io.compactor.onnx.text.WordPieceTokenizer.fromResource("all-minilm-l6-v2-tokenizer.json");
    List<String> sentences = List.of("The cat sat quietly on the warm windowsill.",
        "Compression keeps the model small.", "How far is the train station from here?");
    Map<String, Tensor> feeds = io.compactor.onnx.text.SentenceData.tokenize("sentences", sentences, tokenizer, 32)
        .batch(0, sentences.size());
    double worst = Equivalence.check(model, feeds);
    System.out.printf("MiniLM as a DJL program vs ONNX Runtime: largest difference %.2e of the output scale%n", worst);
    // one program, three passes: the folded attention shapes (172 of 491 nodes) are reused, not freed
    Equivalence.run(model, feeds, 3);
  }
}
