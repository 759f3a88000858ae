package io.compactor.core.chain;

import io.compactor.api.RetrainSettings;
import io.compactor.api.TrainingData;
import io.compactor.api.TrainingForm;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.runtime.Dataset;
import java.util.Objects;
import java.util.Optional;

/**
 * What the chain hands one step besides its tasks: the training form as the earlier steps left it, the FP32
 * teacher, the data, and the retraining settings (retraining step only).
 *
 * @param form the training form
 * @param teacher the job's model before any step
 * @param calibration calibration samples
 * @param training training samples (the calibration samples when no {@code training} directory is given)
 * @param retrain the retraining settings; empty for compression steps
 */
record StepInput(TrainingForm form, OnnxModel teacher, Dataset calibration, TrainingData training,
    Optional<RetrainSettings> retrain) {
  StepInput {
    Objects.requireNonNull(form, "form");
    Objects.requireNonNull(teacher, "teacher");
    Objects.requireNonNull(retrain, "retrain");
  }

  /** @return the same inputs with another form */
  StepInput with(TrainingForm next) {
    return new StepInput(next, teacher, calibration, training, retrain);
  }
}
