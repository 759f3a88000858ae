package io.compactor.bundle.retraindistill.training;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Optimizer;
import io.compactor.bundle.retraindistill.program.ConverterRegistry;
import io.compactor.bundle.retraindistill.program.DifferentiableProgram;
import io.compactor.bundle.retraindistill.program.NdTensors;
import io.compactor.bundle.retraindistill.training.TrainingOutcome.Evaluation;
import io.compactor.bundle.retraindistill.training.TrainingOutcome.Stop;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.graph.ValueInfo;
import io.compactor.onnx.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Trains a whole student model end to end, distilled from the original FP32 model (the teacher, run as a
 * program without gradients on the same libtorch threads; once per sample while its outputs fit in an eighth of
 * the heap, {@link TeacherOutputs}, else once per batch).
 *
 * <p>What trains: the student form's trainable weights and biases, read through their int8 grid
 * ({@link FakeQuant}, straight through) where the form quantizes them, and the learned activation scales
 * (the QuantizeLinear converter rounds straight through, so they receive gradients; a scale is one
 * initializer read by its QuantizeLinear and DequantizeLinear, so the pair stays consistent). What is held:
 * masked weights stay exactly zero (the gradient is masked before each Adam update and the weight after it),
 * weight grids, zero points, batch-norm statistics; removed channels are gone from the form.
 *
 * <p>Each epoch visits the training samples in a seed-shuffled order, then evaluates the held-out samples;
 * the weights with the lowest held-out loss so far are kept, and training stops after {@code patience} epochs
 * without improvement, when {@code max_minutes} runs out (the last partial epoch is still evaluated), or when
 * the listener cancels (between batches). One training per JVM at a time ({@link TrainingLock}).
 */
public final class DistillTrainer {
  /** The teacher's kept outputs may take up to 1/8 of the heap ({@link TeacherOutputs}). */
  private static final int TEACHER_HEAP_SHARE = 8;
  private final Engine engine;
  private final ConverterRegistry registry;

  /** @param engine the PyTorch engine the host loaded */
  public DistillTrainer(Engine engine) {
    this(engine, ConverterRegistry.standard());
  }

  public DistillTrainer(Engine engine, ConverterRegistry registry) {
    this.engine = Objects.requireNonNull(engine, "engine");
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  /**
   * @param student the training form and what holds it
   * @param teacher the original model; its graph inputs and outputs are the student's
   * @param data the training samples (held-out ones are split off here)
   * @param settings epochs, learning rate, ...
   * @param listener progress per epoch, cancellation between batches
   * @return the best model and how training went
   * @throws InterruptedException when interrupted while waiting for the JVM's gradient collector
   * @throws TrainingCancelledException when the listener cancelled
   */
  public TrainingOutcome train(StudentForm student, OnnxModel teacher, Samples data, DistillSettings settings,
      TrainingListener listener) throws InterruptedException {
    Objects.requireNonNull(student, "student");
    Objects.requireNonNull(teacher, "teacher");
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(listener, "listener");
    try (TrainingLock.Turn turn = TrainingLock.take()) {
      return new Run(student, teacher, data, settings, listener, turn.waitSeconds()).execute();
    }
  }

  /** One training: its programs, masks and optimizer live exactly as long as this. */
  private final class Run {
    private final StudentForm form;
    private final OnnxModel teacherModel;
    private final Samples data;
    private final DistillSettings settings;
    private final TrainingListener listener;
    private final double lockWait;
    private final DistillObjective objective;
    private final TrainingSeed seed;
    private final long start = System.nanoTime();
    private final long deadline;
    private DifferentiableProgram student;
    private DifferentiableProgram teacher;
    private final MaskedWeights masks = new MaskedWeights();
    /** The graph outputs, which the loss and the held-out evaluation compare. */
    private List<String> outputs;
    /** Intermediate values matched to the teacher's when the settings weigh them ({@link #hintValues}). */
    private List<String> hints;
    /** The logarithm of each learned scale: what its optimizer moves (a scale stays positive, steps are relative). */
    private final Map<String, NDArray> logScales = new LinkedHashMap<>();
    private double evaluationNanos;
    /** The teacher's outputs per sample, from the first batch that held it. */
    private TeacherOutputs teacherOutputs;
    private NDManager root;

    Run(StudentForm form, OnnxModel teacherModel, Samples data, DistillSettings settings,
        TrainingListener listener, double lockWait) {
      this.form = form;
      this.teacherModel = teacherModel;
      this.data = data;
      this.settings = settings;
      this.listener = listener;
      this.lockWait = lockWait;
      this.objective = new DistillObjective(settings.temperature(), settings.pooledWeight());
      this.seed = new TrainingSeed(settings.seed());
      this.deadline = start + (long) (settings.maxMinutes() * 60e9);
    }

    TrainingOutcome execute() {
      seed.seed(engine);
      int[][] split = Samples.split(data.size(), settings.heldOutFraction(), seed);
      int[] train = split[0];
      int[] heldOut = split[1];
      Set<String> parameters = new HashSet<>(form.trainable());
      parameters.addAll(form.learnedScales());
      try (NDManager manager = engine.newBaseManager()) {
        root = manager;
        outputs = teacherModel.graph().outputs().stream().map(ValueInfo::name).toList();
        hints = settings.hintWeight() > 0 ? hintValues() : List.of();
        student = DifferentiableProgram.build(withOutputs(form.model(), hints), parameters, root, registry);
        teacher = DifferentiableProgram.build(withOutputs(teacherModel, hints), Set.of(), root, registry);
        holdMasks(root);
        teacherOutputs = new TeacherOutputs(data.size(), Runtime.getRuntime().maxMemory() / TEACHER_HEAP_SHARE);
        student.parameters().forEach((name, value) -> {
          if (form.learnedScales().contains(name)) {
            logScales.put(name, NdTensors.toNd(root, NdTensors.toTensor(value)).log());
          }
        });
        int stepsPerEpoch = (train.length + settings.batchSize() - 1) / settings.batchSize();
        int totalSteps = stepsPerEpoch * settings.epochs();
        Optimizer adam = Optimizer.adam().optLearningRateTracker(
            LearningRate.warmUpCosine(settings.learningRate(), totalSteps)).build();
        // activation scales (0.001-0.1) learn in log space: Adam's steps are then relative, the same for every scale
        Optimizer scaleAdam = Optimizer.adam().optLearningRateTracker(
            LearningRate.warmUpCosine(settings.scaleStep(), totalSteps)).build();
        long evalStart = System.nanoTime();
        Evaluation before = evaluate(heldOut);
        evaluationNanos = System.nanoTime() - evalStart;
        Map<String, Tensor> best = snapshot();
        Evaluation bestEval = before;
        int bestEpoch = 0;
        int sinceBest = 0;
        int epoch = 0;
        Stop stop = Stop.EPOCHS;
        while (epoch < settings.epochs()) {
          epoch++;
          double[] epochLoss = trainEpoch(root, adam, scaleAdam, train, epoch);
          boolean timeUp = epochLoss[1] < train.length;
          Evaluation now = evaluate(heldOut);
          listener.epoch(epoch, settings.epochs(), epochLoss[0], now.fidelity());
          if (heldOut.length == 0 || now.loss() < bestEval.loss()) {
            best = snapshot();
            bestEval = now;
            bestEpoch = epoch;
            sinceBest = 0;
          } else if (++sinceBest >= settings.patience()) {
            stop = Stop.EARLY_STOPPING;
            break;
          }
          if (timeUp || System.nanoTime() + evaluationNanos >= deadline) {
            stop = epoch < settings.epochs() ? Stop.TIME_LIMIT : Stop.EPOCHS;
            break;
          }
        }
        OnnxModel trained = form.model().copy(form.model().source() + " (retrained)");
        best.forEach((name, value) -> trained.graph().setInitializer(name, value));
        return new TrainingOutcome(trained, best, before, bestEval, epoch, bestEpoch, stop,
            (System.nanoTime() - start) / 1e9, lockWait, new int[] {train.length, heldOut.length});
      } finally {
        student = null;
        teacher = null;
        root = null;
      }
    }

    /**
     * @return the outputs of the layers the compression steps changed (the nodes reading a quantized or masked
     *     weight) that the teacher computes under the same name, in graph order
     */
    private List<String> hintValues() {
      Set<String> changed = new HashSet<>(form.weightGrids().keySet());
      changed.addAll(form.masks().keySet());
      List<String> out = new ArrayList<>();
      for (Node n : form.model().graph().topologicalOrder()) {
        if (n.inputs().stream().anyMatch(changed::contains) && !n.outputs().isEmpty()
            && teacherModel.graph().producer(n.output(0)).isPresent()) {
          out.add(n.output(0));
        }
      }
      return out;
    }

    /** @return a copy of {@code model} that also outputs {@code extra}, or the model itself when none */
    private static OnnxModel withOutputs(OnnxModel model, List<String> extra) {
      if (extra.isEmpty()) {
        return model;
      }
      OnnxModel copy = model.copy(model.source());
      extra.forEach(v -> copy.graph().addOutput(ValueInfo.named(v)));
      return copy;
    }

    private static Map<String, NDArray> pick(Map<String, NDArray> values, List<String> names) {
      Map<String, NDArray> out = new LinkedHashMap<>();
      names.forEach(n -> out.put(n, values.get(n)));
      return out;
    }

    /**
     * @return the trained initializers, each quantized weight on its grid: the values the forward pass read and
     *     the deploy model's codes times their scale, so the returned form is again "weights on their grids"
     */
    private Map<String, Tensor> snapshot() {
      Map<String, Tensor> out = new LinkedHashMap<>(student.trainedInitializers());
      try (NDManager scope = root.newSubManager()) {
        for (Map.Entry<String, Tensor> e : out.entrySet()) {
          if (form.weightGrids().containsKey(e.getKey())) {
            // a copy in this scope: everything computed from it lands here and is freed with it
            e.setValue(NdTensors.toTensor(view(e.getKey(), NdTensors.toNd(scope, e.getValue()))));
          }
        }
      }
      return out;
    }

    private void holdMasks(NDManager root) {
      Map<String, NDArray> params = student.parameters();
      form.masks().forEach((name, mask) -> {
        NDArray weight = params.get(name);
        if (weight != null) {
          masks.hold(name, weight, NdTensors.toNd(root, mask));
        }
      });
    }

    /** @return {@code [mean loss, samples trained]}; fewer samples than the epoch has when time ran out */
    private double[] trainEpoch(NDManager root, Optimizer adam, Optimizer scaleAdam, int[] train, int epoch) {
      int[] order = seed.order(train.length, epoch);
      double lossSum = 0;
      int done = 0;
      for (int from = 0; from < order.length; from += settings.batchSize()) {
        if (listener.cancelled()) {
          throw new TrainingCancelledException("retraining cancelled in epoch " + epoch + " after " + done
              + " of " + train.length + " samples");
        }
        if (done > 0 && System.nanoTime() + evaluationNanos >= deadline) {
          break;
        }
        int[] batch = new int[Math.min(settings.batchSize(), order.length - from)];
        for (int i = 0; i < batch.length; i++) {
          batch[i] = train[order[from + i]];
        }
        lossSum += step(root, adam, scaleAdam, batch) * batch.length;
        done += batch.length;
      }
      return new double[] {done == 0 ? Double.NaN : lossSum / done, done};
    }

    private double step(NDManager root, Optimizer adam, Optimizer scaleAdam, int[] batch) {
      float value;
      try (NDManager scope = root.newSubManager()) {
        Map<String, NDArray> feeds = feeds(scope, batch);
        Map<String, NDArray> target = teacherOutputs.get(scope, batch, () -> teacher.forward(scope, feeds));
        Optional<NDArray> labels = data.labels(batch).map(t -> NdTensors.toNd(scope, t));
        try (GradientCollector gc = engine.newGradientCollector()) {
          Map<String, NDArray> out = student.forward(scope, feeds, this::view);
          Optional<NDArray> tokens = DistillObjective.tokenMask(feeds);
          NDArray loss = objective.loss(pick(out, outputs), pick(target, outputs), labels, tokens);
          if (!hints.isEmpty()) {
            loss = loss.add(objective.hintLoss(out, target, hints, tokens).mul((float) settings.hintWeight()));
          }
          value = loss.getFloat();
          gc.backward(loss);
        }
      }
      for (Map.Entry<String, NDArray> p : student.parameters().entrySet()) {
        String name = p.getKey();
        NDArray weight = p.getValue();
        NDArray logScale = logScales.get(name);
        if (logScale != null) {
          updateScale(scaleAdam, name, weight, logScale);
          continue;
        }
        masks.maskGradient(name, weight);
        try (NDArray gradient = weight.getGradient()) {
          adam.update(name, weight, gradient);
        }
        masks.afterUpdate(name, weight);
      }
      return value;
    }

    /** The graph reads a quantized weight on its grid; everything else as it is. */
    private NDArray view(String name, NDArray value) {
      WeightGrid grid = form.weightGrids().get(name);
      if (grid == null) {
        return value;
      }
      NDArray scale = value.getManager().create(grid.scales())
          .reshape(new Shape(grid.broadcastShape(value.getShape().dimension())));
      return new FakeQuant(-grid.qmax(), grid.qmax()).apply(value, scale);
    }

    private Map<String, NDArray> feeds(NDManager scope, int[] batch) {
      Map<String, NDArray> feeds = new LinkedHashMap<>();
      data.inputs(batch).forEach((name, t) -> feeds.put(name, NdTensors.toNd(scope, t)));
      return feeds;
    }

    /** The held-out loss and fidelity, without gradients; NaN fidelity and loss 0 without held-out samples. */
    private Evaluation evaluate(int[] heldOut) {
      if (heldOut.length == 0) {
        return new Evaluation(Double.NaN, 0);
      }
      double lossSum = 0;
      double fidelitySum = 0;
      for (int from = 0; from < heldOut.length; from += settings.batchSize()) {
        int[] batch = Arrays.copyOfRange(heldOut, from, Math.min(heldOut.length, from + settings.batchSize()));
        // no gradient collector is open: nothing is recorded for backward
        try (NDManager scope = root.newSubManager()) {
          Map<String, NDArray> feeds = feeds(scope, batch);
          Map<String, NDArray> target = pick(teacherOutputs.get(scope, batch, () -> teacher.forward(scope, feeds)),
              outputs);
          Map<String, NDArray> out = pick(student.forward(scope, feeds, this::view), outputs);
          Optional<NDArray> labels = data.labels(batch).map(t -> NdTensors.toNd(scope, t));
          Optional<NDArray> tokens = DistillObjective.tokenMask(feeds);
          lossSum += objective.loss(out, target, labels, tokens).getFloat() * batch.length;
          fidelitySum += DistillObjective.fidelitySum(out, target, tokens);
        }
      }
      return new Evaluation(fidelitySum / heldOut.length, lossSum / heldOut.length);
    }

    /**
     * One step of a learned scale {@code s = exp(l)}: {@code dL/dl = s · dL/ds}, Adam moves {@code l}, and the
     * scale takes {@code exp(l)} (through its detached alias: a leaf that requires gradients cannot change in
     * place).
     */
    private static void updateScale(Optimizer scaleAdam, String name, NDArray scale, NDArray logScale) {
      try (NDArray gradient = scale.getGradient(); NDArray alias = scale.stopGradient();
          NDArray logGradient = gradient.mul(alias)) {
        scaleAdam.update(name, logScale, logGradient);
        try (NDArray value = logScale.exp()) {
          alias.muli(0).addi(value);
        }
      }
    }
  }
}
