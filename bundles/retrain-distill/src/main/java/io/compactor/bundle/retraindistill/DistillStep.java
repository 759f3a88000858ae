package io.compactor.bundle.retraindistill;

import ai.djl.engine.Engine;
import io.compactor.api.Capabilities;
import io.compactor.api.LayerQuantization;
import io.compactor.api.RetrainOutcome;
import io.compactor.api.RetrainSettings;
import io.compactor.api.StepContext;
import io.compactor.api.StepException;
import io.compactor.api.StepResult;
import io.compactor.api.TrainingForm;
import io.compactor.api.WeightMask;
import io.compactor.bundle.retraindistill.program.ConverterRegistry;
import io.compactor.bundle.retraindistill.training.DistillSettings;
import io.compactor.bundle.retraindistill.training.DistillTrainer;
import io.compactor.bundle.retraindistill.training.Samples;
import io.compactor.bundle.retraindistill.training.StudentForm;
import io.compactor.bundle.retraindistill.training.TrainingListener;
import io.compactor.bundle.retraindistill.training.TrainingOutcome;
import io.compactor.bundle.retraindistill.training.WeightGrid;
import io.compactor.onnx.DataException;
import io.compactor.onnx.ModelException;
import io.compactor.onnx.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * One retraining step of one job: the SPI's training form, settings and training data adapted to
 * {@link DistillTrainer}, and its outcome back into a retrained form (same masks and grids, new weights and
 * learned activation scales) with a summary. Lives only during {@link DistillMethod#apply}.
 */
final class DistillStep {
  private static final String CAPABILITY = Capabilities.RETRAIN_DISTILL;
  private final StepContext context;
  private final Engine engine;
  private final ConverterRegistry registry;

  DistillStep(StepContext context, Engine engine, ConverterRegistry registry) {
    this.context = context;
    this.engine = engine;
    this.registry = registry;
  }

  StepResult run() {
    RetrainSettings s = context.retrainSettings().orElseThrow(() -> new StepException(CAPABILITY, null,
        "no retraining settings: the job has no compactor_retrain block"));
    TrainingForm form = context.form();
    StudentForm student;
    DistillSettings settings;
    try {
      student = student(form, s);
      settings = DistillSettings.of(s.epochs(), s.learningRate(), s.batchSize(), s.maxMinutes(),
          Long.hashCode(s.seed()), s.heldOutFraction());
    } catch (ModelException | IllegalArgumentException e) {
      throw new StepException(CAPABILITY, null, "the training form cannot be trained: " + e.getMessage(), e);
    }
    double[] lastLoss = {Double.NaN};
    TrainingListener listener = new TrainingListener() {
      @Override
      public void epoch(int epoch, int epochs, double loss, double heldOutFidelity) {
        lastLoss[0] = loss;
        context.epoch(epoch, epochs, loss, heldOutFidelity);
      }

      @Override
      public boolean cancelled() {
        context.throwIfCancelled();
        return false;
      }
    };
    TrainingOutcome out;
    try {
      out = new DistillTrainer(engine, registry).train(student, context.teacher(), Samples.of(context.training()),
          settings, listener);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StepException(CAPABILITY, null, "interrupted while waiting for the JVM's gradient collector", e);
    } catch (DataException e) {
      throw new StepException(CAPABILITY, null, "training data: " + e.getMessage(), e);
    } catch (ModelException e) {
      throw new StepException(CAPABILITY, e.element().orElse(null), e.getMessage(), e);
    }
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("fidelity_metric", "mean_cosine");
    summary.put("held_out_fidelity_before", out.before().fidelity());
    summary.put("held_out_fidelity_after", out.after().fidelity());
    summary.put("held_out_loss_before", out.before().loss());
    summary.put("held_out_loss_after", out.after().loss());
    summary.put("epochs", out.epochs());
    summary.put("best_epoch", out.bestEpoch());
    summary.put("stopped_by", out.stop().name().toLowerCase(java.util.Locale.ROOT));
    summary.put("training_samples", out.samples()[0]);
    summary.put("held_out_samples", out.samples()[1]);
    summary.put("trained_parameters", out.trained().size());
    summary.put("seconds", out.seconds());
    summary.put("lock_wait_seconds", out.lockWaitSeconds());
    RetrainOutcome outcome = new RetrainOutcome(out.before().fidelity(), out.after().fidelity(), out.epochs(),
        out.seconds(), out.lockWaitSeconds(), lastLoss[0]);
    return StepResult.retrained(summary, form.withModel(out.model()), outcome);
  }

  /** The SPI's form as the trainer's: masks as 0/1 tensors, grids in float, static activation scales learn. */
  static StudentForm student(TrainingForm form, RetrainSettings s) {
    Map<String, Tensor> masks = new LinkedHashMap<>();
    for (WeightMask m : form.masks().values()) {
      long[] shape = m.shape();
      float[] ones = new float[Math.toIntExact(Tensor.elementCount(shape))];
      java.util.Arrays.fill(ones, 1f);
      m.zeros().stream().forEach(i -> ones[i] = 0f);
      masks.put(m.weight(), Tensor.ofFloats(shape, ones));
    }
    Map<String, WeightGrid> grids = new LinkedHashMap<>();
    Set<String> scales = new LinkedHashSet<>();
    for (LayerQuantization q : form.quantization().values()) {
      double[] d = q.grid().scales();
      float[] f = new float[d.length];
      for (int i = 0; i < d.length; i++) {
        f[i] = (float) d[i];
      }
      grids.put(q.weight(), new WeightGrid(q.grid().axis(), f, q.grid().qmax()));
      // a float input (embedding table, float activation) has no scale to learn
      if (q.activation().quantized() && !q.activation().dynamic()) {
        scales.add(q.activation().scale());
      }
    }
    StudentForm.Scope scope = s.train() == RetrainSettings.Train.ALL ? StudentForm.Scope.ALL
        : StudentForm.Scope.COMPRESSED;
    return new StudentForm(form.model(), StudentForm.trainable(form.model(), scope, form.compressed()), masks, grids,
        scales);
  }
}
