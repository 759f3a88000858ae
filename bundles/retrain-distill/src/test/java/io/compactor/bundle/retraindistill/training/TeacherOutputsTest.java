package io.compactor.bundle.retraindistill.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The teacher runs once per sample while its outputs fit; a batch read back is the batch the teacher gave. */
class TeacherOutputsTest {
  private static final Engine ENGINE = Engine.getEngine("PyTorch");

  /** A teacher whose output for sample i is {@code [i, 10 i]} per row, counting its runs. */
  private static Supplier<Map<String, NDArray>> teacher(NDManager m, int[] batch, AtomicInteger runs) {
    return () -> {
      runs.incrementAndGet();
      float[] v = new float[batch.length * 2];
      for (int i = 0; i < batch.length; i++) {
        v[2 * i] = batch[i];
        v[2 * i + 1] = 10f * batch[i];
      }
      return Map.of("logits", m.create(v, new Shape(batch.length, 2)));
    };
  }

  @Test
  void eachSampleRunsOnceAndBatchesReadBackInTheirOwnOrder() {
    try (NDManager m = ENGINE.newBaseManager()) {
      TeacherOutputs kept = new TeacherOutputs(6, 1 << 20);
      AtomicInteger runs = new AtomicInteger();
      int[] first = {4, 0, 2};
      kept.get(m, first, teacher(m, first, runs));
      int[] second = {5, 1, 3};
      kept.get(m, second, teacher(m, second, runs));
      assertEquals(2, runs.get());

      int[] shuffled = {3, 4, 1};
      NDArray again = kept.get(m, shuffled, teacher(m, shuffled, runs)).get("logits");
      assertEquals(2, runs.get(), "every sample of the batch was kept: the teacher does not run");
      assertEquals(new Shape(3, 2), again.getShape());
      assertArrayEquals(new float[] {3, 30, 4, 40, 1, 10}, again.toFloatArray());
      assertTrue(kept.enabled());
    }
  }

  @Test
  void outputsBeyondTheBudgetAreNotKept() {
    try (NDManager m = ENGINE.newBaseManager()) {
      // 6 samples of 2 floats are 48 bytes
      TeacherOutputs kept = new TeacherOutputs(6, 47);
      AtomicInteger runs = new AtomicInteger();
      int[] batch = {0, 1};
      kept.get(m, batch, teacher(m, batch, runs));
      NDArray again = kept.get(m, batch, teacher(m, batch, runs)).get("logits");
      assertEquals(2, runs.get());
      assertArrayEquals(new float[] {0, 0, 1, 10}, again.toFloatArray());
      assertFalse(kept.enabled());
    }
  }

  @Test
  void aPerSampleShapeThatChangesBetweenBatchesStopsKeeping() {
    try (NDManager m = ENGINE.newBaseManager()) {
      TeacherOutputs kept = new TeacherOutputs(4, 1 << 20);
      AtomicInteger runs = new AtomicInteger();
      kept.get(m, new int[] {0, 1}, () -> {
        runs.incrementAndGet();
        return Map.of("hidden", m.zeros(new Shape(2, 5, 3)));
      });
      // a batch padded to another length
      kept.get(m, new int[] {2, 3}, () -> {
        runs.incrementAndGet();
        return Map.of("hidden", m.zeros(new Shape(2, 7, 3)));
      });
      assertFalse(kept.enabled());
      NDArray again = kept.get(m, new int[] {0, 1}, () -> {
        runs.incrementAndGet();
        return Map.of("hidden", m.ones(new Shape(2, 7, 3)));
      }).get("hidden");
      assertEquals(3, runs.get());
      assertEquals(new Shape(2, 7, 3), again.getShape());
    }
  }
}
