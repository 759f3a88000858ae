package io.compactor.bundle.retraindistill.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The training loop's building blocks on the real libtorch. */
class TrainingBlocksTest {
  private static final Engine ENGINE = Engine.getEngine("PyTorch");
  private static final NDManager M = ENGINE.newBaseManager();
  private static final float CLOSE = 1e-5f;

  @AfterAll
  static void close() {
    M.close();
  }

  @Test
  void fakeQuantRoundsToTheGridForwardAndPassesGradientsToWeightAndScale() {
    NDArray w = M.create(new float[] {0.26f, -0.74f, 0.5f, 9f});
    NDArray s = M.create(0.1f);
    w.setRequiresGradient(true);
    s.setRequiresGradient(true);
    FakeQuant q = new FakeQuant(-7, 7);
    try (GradientCollector gc = ENGINE.newGradientCollector()) {
      NDArray out = q.apply(w, s);
      assertArrayEquals(new float[] {0.3f, -0.7f, 0.5f, 0.7f}, out.toFloatArray(), CLOSE);
      gc.backward(out.mul(M.create(new float[] {1, 2, 3, 4})).sum());
    }
    // straight through inside the range, nothing for the clipped entry
    assertArrayEquals(new float[] {1, 2, 3, 0}, w.getGradient().toFloatArray(), CLOSE);
    // d/ds of s·round(w/s) with round passed through: round(w/s) − w/s inside the range, the code at the clip
    float expected = (3f - 2.6f) * 1 + (-7f + 7.4f) * 2 + (5f - 5f) * 3 + 7f * 4;
    assertEquals(expected, s.getGradient().getFloat(), 1e-4f);
  }

  @Test
  void aMaskedWeightStaysExactlyZeroThroughAdamWithWeightDecay() {
    NDArray w = M.randomNormal(new Shape(8, 8));
    w.setRequiresGradient(true);
    NDArray mask = M.randomUniform(0, 1, new Shape(8, 8)).gt(0.5f).toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
    long held = mask.eq(0).toType(ai.djl.ndarray.types.DataType.INT64, false).sum().getLong();
    assertTrue(held > 10 && held < 54, "a mask with both kinds of entries");
    MaskedWeights masks = new MaskedWeights();
    masks.hold("w", w, mask);
    NDArray before = w.duplicate();
    Optimizer adam = Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.05f)).optWeightDecays(0.01f).build();
    NDArray x = M.randomNormal(new Shape(4, 8));
    for (int step = 0; step < 5; step++) {
      try (GradientCollector gc = ENGINE.newGradientCollector()) {
        gc.backward(x.matMul(w).sub(1f).square().mean());
      }
      masks.maskGradient("w", w);
      adam.update("w", w, w.getGradient());
      masks.afterUpdate("w", w);
    }
    assertEquals(held, masks.heldZeros("w", w), "every held entry is exactly zero after 5 Adam steps");
    NDArray trained = w.mul(mask.toType(w.getDataType(), false));
    assertNotEquals(0f, trained.sub(before).abs().sum().getFloat(), "the other entries trained");
  }

  @Test
  void withoutReapplyingTheMaskAdamMovesMaskedEntries() {
    NDArray w = M.randomNormal(new Shape(4, 4));
    w.setRequiresGradient(true);
    NDArray mask = M.create(new float[] {1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0}, new Shape(4, 4));
    MaskedWeights masks = new MaskedWeights();
    masks.hold("w", w, mask);
    Optimizer adam = Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.05f)).build();
    try (GradientCollector gc = ENGINE.newGradientCollector()) {
      gc.backward(w.sum());
    }
    adam.update("w", w, w.getGradient());
    assertTrue(masks.heldZeros("w", w) < 8, "the test would not show that masks must be held");
  }

  @Test
  void distillationLossesHaveTheirTextbookValues() {
    NDArray teacher = M.create(new float[] {2, 0, -1, 0.5f, 0.5f, 3}, new Shape(2, 3));
    NDArray student = M.create(new float[] {1, 1, 0, 0, 1, 2}, new Shape(2, 3));
    assertEquals(0f, DistillationLoss.klDivergence(teacher, teacher, 2f).getFloat(), CLOSE);
    float t = 2f;
    double kl = 0;
    float[] tv = teacher.toFloatArray();
    float[] sv = student.toFloatArray();
    for (int n = 0; n < 2; n++) {
      double[] p = softmax(tv, n * 3, t);
      double[] q = softmax(sv, n * 3, t);
      for (int c = 0; c < 3; c++) {
        kl += p[c] * Math.log(p[c] / q[c]);
      }
    }
    assertEquals(kl / 2 * t * t, DistillationLoss.klDivergence(student, teacher, t).getFloat(), 1e-5);
    assertEquals((1 + 1 + 1 + 0.25 + 0.25 + 1) / 6, DistillationLoss.meanSquaredError(student, teacher).getFloat(), 1e-6);
    assertEquals(0f, DistillationLoss.cosineDistance(teacher.mul(3f), teacher).getFloat(), CLOSE);
    double[] s0 = softmax(sv, 0, 1);
    double[] s1 = softmax(sv, 3, 1);
    assertEquals(-(Math.log(s0[2]) + Math.log(s1[0])) / 2,
        DistillationLoss.crossEntropy(student, M.create(new long[] {2, 0})).getFloat(), 1e-5);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DistillationLoss.crossEntropy(student, M.create(new long[] {1})));
    assertTrue(e.getMessage().contains("expected 2"), e.getMessage());
  }

  @Test
  void theSameSeedGivesTheSameOrderAndTheSameRandomNumbers() {
    TrainingSeed seed = new TrainingSeed(7);
    assertArrayEquals(seed.order(50, 3), new TrainingSeed(7).order(50, 3));
    assertNotEquals(java.util.Arrays.toString(seed.order(50, 3)), java.util.Arrays.toString(seed.order(50, 4)));
    seed.seed(ENGINE);
    float[] a = M.randomNormal(new Shape(16)).toFloatArray();
    seed.seed(ENGINE);
    assertArrayEquals(a, M.randomNormal(new Shape(16)).toFloatArray());
  }

  private static double[] softmax(float[] v, int from, float t) {
    double[] e = new double[3];
    double sum = 0;
    for (int i = 0; i < 3; i++) {
      e[i] = Math.exp(v[from + i] / t);
      sum += e[i];
    }
    for (int i = 0; i < 3; i++) {
      e[i] /= sum;
    }
    return e;
  }
}
