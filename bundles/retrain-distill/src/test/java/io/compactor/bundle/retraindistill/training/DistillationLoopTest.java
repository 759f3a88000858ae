package io.compactor.bundle.retraindistill.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.compactor.bundle.retraindistill.program.ConverterRegistry;
import io.compactor.bundle.retraindistill.program.DifferentiableProgram;
import io.compactor.bundle.retraindistill.program.NdTensors;
import io.compactor.bundle.retraindistill.program.Trainables;
import io.compactor.onnx.fixtures.TestModels;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.runtime.ModelSession;
import io.compactor.onnx.tensor.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The blocks together on a translated model: a residual CNN with half of a convolution's weights pruned is
 * distilled from the unpruned original (teacher logits from ONNX Runtime); the loss falls, the pruned weights
 * stay exactly zero, and the same seed gives bit-identical weights.
 */
class DistillationLoopTest {
  private static final Engine ENGINE = Engine.getEngine("PyTorch");
  private static final int STEPS = 15;

  @Test
  void distillingAPrunedCnnLowersTheLossKeepsItsZerosAndRepeatsBitForBit() {
    OnnxModel original = TestModels.residualCnn(3, false);
    Tensor images = TestModels.images(8, 16);
    Tensor teacher;
    try (ModelSession session = ModelSession.open(original, 1)) {
      teacher = session.run(Map.of("image", images)).get("logits");
    }
    Run first = train(original, images, teacher);
    Run second = train(original, images, teacher);
    assertTrue(first.lastLoss < first.firstLoss * 0.8, "loss " + first.firstLoss + " -> " + first.lastLoss);
    assertEquals(288, first.heldZeros, "half of conv2's 576 weights are held at zero");
    assertEquals(first.weights, second.weights, "the same seed must give bit-identical weights");
  }

  private record Run(float firstLoss, float lastLoss, long heldZeros, Map<String, Tensor> weights) {}

  private static Run train(OnnxModel original, Tensor images, Tensor teacherLogits) {
    TrainingSeed seed = new TrainingSeed(1);
    seed.seed(ENGINE);
    try (NDManager root = ENGINE.newBaseManager();
        DifferentiableProgram student = DifferentiableProgram.build(original, Trainables.weights(original), root,
            ConverterRegistry.standard())) {
      NDArray w = student.parameters().get("conv2.w");
      // prune every other weight of conv2 (288 of 576)
      float[] m = new float[(int) w.size()];
      for (int i = 0; i < m.length; i++) {
        m[i] = i % 2 == 0 ? 0 : 1;
      }
      MaskedWeights masks = new MaskedWeights();
      masks.hold("conv2.w", w, root.create(m, w.getShape()));
      Optimizer adam = Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.003f)).build();
      NDArray teacher = NdTensors.toNd(root, teacherLogits);
      float first = 0;
      float last = 0;
      for (int step = 0; step < STEPS; step++) {
        try (NDManager batch = root.newSubManager();
            GradientCollector gc = ENGINE.newGradientCollector()) {
          NDArray x = NdTensors.toNd(batch, images);
          NDArray logits = student.forward(batch, Map.of("image", x)).get("logits");
          NDArray loss = DistillationLoss.klDivergence(logits, teacher, 2f)
              .add(DistillationLoss.meanSquaredError(logits, teacher).mul(0.1f));
          float value = loss.getFloat();
          first = step == 0 ? value : first;
          last = value;
          gc.backward(loss);
        }
        for (Map.Entry<String, NDArray> p : student.parameters().entrySet()) {
          masks.maskGradient(p.getKey(), p.getValue());
          adam.update(p.getKey(), p.getValue(), p.getValue().getGradient());
          masks.afterUpdate(p.getKey(), p.getValue());
        }
      }
      return new Run(first, last, masks.heldZeros("conv2.w", w), student.trainedInitializers());
    }
  }
}
