package io.compactor.bundle.retraindistill.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import io.compactor.api.TrainingData;
import io.compactor.onnx.fixtures.TestModels;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.graph.ValueInfo;
import io.compactor.onnx.runtime.Dataset;
import io.compactor.onnx.tensor.ElementType;
import io.compactor.onnx.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole loop on the real libtorch: a 2:4-pruned, fake-quantized residual CNN distilled from its original. */
class DistillTrainerTest {
  private static final Engine ENGINE = Engine.getEngine("PyTorch");
  @TempDir Path dir;

  private static DistillSettings settings(int epochs, double lr, double minutes) {
    return DistillSettings.of(epochs, lr, 16, minutes, 7, 0.2);
  }

  private TrainingOutcome train(StudentForm form, DistillSettings s, TrainingListener listener) throws Exception {
    Samples data = TrainingForms.samples(TrainingForms.data(dir, 11, 160), form.model());
    return new DistillTrainer(ENGINE).train(form, TrainingForms.teacher(), data, s, listener);
  }

  @Test
  void fidelityImprovesZerosHoldScalesLearnConsistentlyAndRunsRepeatBitForBit() throws Exception {
    StudentForm form = TrainingForms.prunedFakeQuant(StudentForm.Scope.ALL);
    List<double[]> epochs = new ArrayList<>();
    TrainingListener record = new TrainingListener() {
      @Override
      public void epoch(int epoch, int total, double loss, double fidelity) {
        epochs.add(new double[] {epoch, loss, fidelity});
      }
    };
    TrainingOutcome first = train(form, settings(4, 0.003, 5), record);
    TrainingOutcome second = train(form, settings(4, 0.003, 5), TrainingListener.NONE);

    System.out.printf("2:4 + INT8 residual CNN, %d epochs: held-out fidelity %.5f -> %.5f, loss %.5f -> %.5f, %.2f s%n",
        first.epochs(), first.before().fidelity(), first.after().fidelity(), first.before().loss(),
        first.after().loss(), first.seconds());
    assertTrue(first.after().fidelity() > first.before().fidelity(), "held-out fidelity " + first.before()
        + " -> " + first.after());
    assertTrue(first.after().loss() < first.before().loss() * 0.8, first.before() + " -> " + first.after());
    assertEquals(4, epochs.size());
    assertEquals(List.of(128, 32), List.of(first.samples()[0], first.samples()[1]));
    assertEquals(first.trained(), second.trained(), "the same seed must give bit-identical weights and scales");

    Graph g = first.model().graph();
    float[] w = g.initializer("conv2.w").orElseThrow().floats();
    float[] mask = form.masks().get("conv2.w").floats();
    float[] before = form.model().graph().initializer("conv2.w").orElseThrow().floats();
    int zeros = 0;
    int moved = 0;
    for (int i = 0; i < w.length; i++) {
      if (mask[i] == 0) {
        assertEquals(0f, w[i], "conv2.w[" + i + "] is pruned and must stay exactly zero");
        zeros++;
      } else if (w[i] != before[i]) {
        moved++;
      }
    }
    assertEquals(288, zeros);
    assertTrue(moved > 100, "kept weights train: " + moved + " moved");
    // the returned form has its quantized weights on their grids again, as the steps handed it over
    form.weightGrids().forEach((name, grid) -> {
      float[] v = g.initializer(name).orElseThrow().floats();
      long[] shape = g.initializerShape(name).orElseThrow();
      long inner = 1;
      for (int d = grid.axis() + 1; grid.axis() >= 0 && d < shape.length; d++) {
        inner *= shape[d];
      }
      float[] scales = grid.scales();
      for (int i = 0; i < v.length; i++) {
        float s = grid.axis() < 0 ? scales[0] : scales[(int) ((i / inner) % shape[grid.axis()])];
        float code = v[i] / s;
        assertEquals(Math.rint(code), code, 1e-3, name + "[" + i + "] on its grid");
      }
    });

    for (String scale : form.learnedScales()) {
      float was = form.model().graph().initializer(scale).orElseThrow().floats()[0];
      float now = g.initializer(scale).orElseThrow().floats()[0];
      assertTrue(now > 0 && now != was, scale + " learns: " + was + " -> " + now);
      // the pair reads one initializer: the quantize and dequantize grids cannot drift apart
      Node q = g.nodes().stream().filter(n -> n.opType().equals("QuantizeLinear") && n.input(1).equals(scale))
          .findFirst().orElseThrow();
      Node dq = g.nodes().stream().filter(n -> n.inputs().contains(q.output(0))).findFirst().orElseThrow();
      assertEquals(scale, dq.input(1));
    }
  }

  @Test
  void theIntermediateTermTrainsTheLayersTowardsTheTeachersOutputs() throws Exception {
    StudentForm form = TrainingForms.prunedFakeQuant(StudentForm.Scope.ALL);
    TrainingOutcome out = train(form, settings(4, 0.003, 5).withHintWeight(1), TrainingListener.NONE);
    // the held-out loss, not the fidelity: this student starts at cosine 0.9998, where the 0.1 % steps of the
    // activation scales leave the cosine within 1e-5 either way while the loss falls a hundredfold
    assertTrue(out.after().loss() < out.before().loss() / 10, out.before() + " -> " + out.after());
    float[] w = out.model().graph().initializer("conv2.w").orElseThrow().floats();
    float[] mask = form.masks().get("conv2.w").floats();
    for (int i = 0; i < w.length; i++) {
      if (mask[i] == 0) {
        assertEquals(0f, w[i], "conv2.w[" + i + "] is pruned");
      }
    }
    // the held-out loss is the graph outputs' alone, comparable with a run without the term
    TrainingOutcome plain = train(form, settings(1, 0.003, 5), TrainingListener.NONE);
    assertEquals(plain.before(), out.before());
  }

  @Test
  void thePooledTermCountsInTheLossAndTrainsATokenModelsSentenceEmbedding() throws Exception {
    OnnxModel teacher = tokenModel(new Random(3), 0);
    StudentForm form = new StudentForm(tokenModel(new Random(3), 0.3f), Set.of("w"), Map.of(), Map.of(), Set.of());
    Samples data = tokenSamples(new Random(5), 40);
    DistillSettings s = DistillSettings.of(20, 0.03, 8, 5, 7, 0.25);
    TrainingOutcome pooled = new DistillTrainer(ENGINE).train(form, teacher, data, s.withPooledWeight(1),
        TrainingListener.NONE);
    TrainingOutcome plain = new DistillTrainer(ENGINE).train(form, teacher, data,
        DistillSettings.of(1, 0.03, 8, 5, 7, 0.25), TrainingListener.NONE);
    // the perturbed projection turns the sentence means: the term adds to the same held-out token term
    assertTrue(pooled.before().loss() > plain.before().loss() + 1e-3, pooled.before() + " vs " + plain.before());
    assertEquals(plain.before().fidelity(), pooled.before().fidelity());
    // the student can match the teacher exactly: training drives both terms down
    assertTrue(pooled.after().loss() < pooled.before().loss() / 4, pooled.before() + " -> " + pooled.after());
  }

  /**
   * A token model: {@code hidden [N, 4, 3] · w [3, 3]} as {@code last_hidden_state}, with an
   * {@code attention_mask [N, 4]} input as transformer exports have. {@code noise} perturbs {@code w}.
   */
  private static OnnxModel tokenModel(Random random, float noise) {
    OnnxModel m = OnnxModel.create("token-model", 13);
    Graph g = m.graph();
    g.addInput(ValueInfo.of("hidden", ElementType.FLOAT, -1, 4, 3));
    g.addInput(ValueInfo.of(DistillObjective.TOKEN_MASK, ElementType.INT64, -1, 4));
    float[] w = TestModels.gaussian(random, 1, 3, 3).floats();
    Random perturb = new Random(11);
    for (int i = 0; i < w.length; i++) {
      w[i] += noise * (float) perturb.nextGaussian();
    }
    g.setInitializer("w", Tensor.ofFloats(new long[] {3, 3}, w));
    TestModels.node(g, "MatMul", "project", List.of("hidden", "w"), "last_hidden_state", n -> {});
    g.addOutput(ValueInfo.named("last_hidden_state"));
    return m;
  }

  /** Sentences of 2 to 4 real tokens; the padding positions hold large values that must not count. */
  private static Samples tokenSamples(Random random, int n) {
    float[] hidden = new float[n * 4 * 3];
    long[] mask = new long[n * 4];
    for (int i = 0; i < n; i++) {
      int length = 2 + random.nextInt(3);
      for (int t = 0; t < 4; t++) {
        mask[i * 4 + t] = t < length ? 1 : 0;
        for (int d = 0; d < 3; d++) {
          hidden[(i * 4 + t) * 3 + d] = t < length ? (float) random.nextGaussian() : 50;
        }
      }
    }
    Tensor h = Tensor.ofFloats(new long[] {n, 4, 3}, hidden);
    Tensor m = Tensor.ofInt64s(new long[] {n, 4}, mask);
    return Samples.of(TrainingData.of(new Dataset("tokens", Map.of("hidden", h, DistillObjective.TOKEN_MASK, m),
        null)));
  }

  @Test
  void compressedScopeTrainsOnlyTheCompressedLayer() throws Exception {
    StudentForm form = TrainingForms.prunedFakeQuant(StudentForm.Scope.COMPRESSED);
    assertEquals(java.util.Set.of("conv2.w", "conv2.b"), form.trainable());
    TrainingOutcome out = train(form, settings(1, 0.003, 5), TrainingListener.NONE);
    Graph g = out.model().graph();
    assertEquals(form.model().graph().initializer("conv1.w"), g.initializer("conv1.w"));
    assertEquals(form.model().graph().initializer("fc.w"), g.initializer("fc.w"));
    assertNotEquals(form.model().graph().initializer("conv2.w"), g.initializer("conv2.w"));
  }

  @Test
  void earlyStoppingReturnsTheBestEpochsWeights() throws Exception {
    StudentForm form = TrainingForms.prunedFakeQuant(StudentForm.Scope.ALL);
    List<Double> fidelities = new ArrayList<>();
    TrainingListener record = new TrainingListener() {
      @Override
      public void epoch(int epoch, int total, double loss, double fidelity) {
        fidelities.add(fidelity);
      }
    };
    // a step size far too large: the held-out loss soon gets worse and training stops
    TrainingOutcome out = train(form, settings(30, 0.05, 5), record);
    assertEquals(TrainingOutcome.Stop.EARLY_STOPPING, out.stop());
    assertTrue(out.epochs() < 30 && out.bestEpoch() < out.epochs(), out.epochs() + " " + out.bestEpoch());
    if (out.bestEpoch() > 0) {
      assertEquals(fidelities.get(out.bestEpoch() - 1), out.after().fidelity());
      // the returned model, evaluated afresh on the same held-out samples, is the best epoch's
      StudentForm returned = new StudentForm(out.model(), form.trainable(), form.masks(), form.weightGrids(),
          form.learnedScales());
      TrainingOutcome again = train(returned, settings(1, 0.05, 5), TrainingListener.NONE);
      assertEquals(out.after(), again.before(), "the returned weights are those after the best epoch");
    } else {
      assertEquals(form.model().graph().initializer("conv2.w"), out.model().graph().initializer("conv2.w"));
    }
  }

  @Test
  void maxMinutesBoundsTheRunAndCancellationStopsIt() throws Exception {
    StudentForm form = TrainingForms.prunedFakeQuant(StudentForm.Scope.ALL);
    TrainingOutcome out = train(form, settings(10_000, 0.001, 0.02), TrainingListener.NONE);
    // the limit (1.2 s, less the time an evaluation takes) ended the run, not the 10,000 epochs; the exact
    // time depends on the machine's load, not on the trainer
    assertEquals(TrainingOutcome.Stop.TIME_LIMIT, out.stop());
    assertTrue(out.epochs() < 10_000, "epochs " + out.epochs());

    TrainingListener cancel = new TrainingListener() {
      @Override
      public boolean cancelled() {
        return true;
      }
    };
    TrainingCancelledException e = assertThrows(TrainingCancelledException.class,
        () -> train(form, settings(2, 0.001, 5), cancel));
    assertTrue(e.getMessage().contains("epoch 1"), e.getMessage());
  }

  @Test
  void concurrentTrainingsTakeTurnsAndReportTheirWait() throws Exception {
    StudentForm form = TrainingForms.prunedFakeQuant(StudentForm.Scope.ALL);
    TrainingForms.data(dir, 11, 160);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<TrainingOutcome>> runs = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        runs.add(pool.submit(() -> new DistillTrainer(ENGINE).train(form, TrainingForms.teacher(),
            TrainingForms.samples(dir, form.model()), settings(2, 0.003, 5), TrainingListener.NONE)));
      }
      TrainingOutcome a = runs.get(0).get();
      TrainingOutcome b = runs.get(1).get();
      double longer = Math.max(a.lockWaitSeconds(), b.lockWaitSeconds());
      double shorter = Math.min(a.seconds(), b.seconds());
      assertTrue(longer >= shorter * 0.9, "one waited " + longer + " s for the other's " + shorter + " s");
      assertEquals(a.trained(), b.trained(), "taking turns, both runs are the same run");
    } finally {
      pool.shutdownNow();
    }
  }
}
