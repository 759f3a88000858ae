package io.compactor.core.chain;

import io.compactor.api.TrainingData;
import io.compactor.core.job.ArtifactRoots;
import io.compactor.core.job.JobRequest;
import io.compactor.onnx.DataException;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.runtime.Dataset;
import io.compactor.onnx.runtime.SampleFiles;
import java.util.Optional;

/**
 * The samples of one job, checked before any step runs: calibration and evaluation data loaded (the steps and
 * the evaluation pass over them many times), training data read from its files by index (so it may exceed the
 * heap) and closed with the job. Bad data fails the job naming the request field and the file.
 */
final class JobData implements AutoCloseable {
  private final Dataset calibration;
  private final Optional<Dataset> eval;
  private final TrainingData training;
  private final SampleFiles trainingFiles;

  private JobData(Dataset calibration, Optional<Dataset> eval, TrainingData training, SampleFiles trainingFiles) {
    this.calibration = calibration;
    this.eval = eval;
    this.training = training;
    this.trainingFiles = trainingFiles;
  }

  /**
   * @param request the job
   * @param model the model the samples feed
   * @param retrains whether the job retrains; only then is a {@code training} directory opened
   * @return the job's data; close it when the job ends
   * @throws JobFailure naming the field ({@code calibration}, {@code training}, {@code eval}) and the file at fault
   */
  static JobData open(JobRequest request, OnnxModel model, boolean retrains) {
    Dataset calibration = load("calibration", request.calibration(), model).orElse(null);
    SampleFiles files = null;
    if (retrains && request.training().isPresent()) {
      try {
        files = SampleFiles.open(ArtifactRoots.resolve(request.training().get()), model);
      } catch (DataException e) {
        throw new JobFailure("request", "training: " + e.getMessage(), e);
      }
    }
    try {
      Optional<Dataset> eval = load("eval", request.eval(), model);
      TrainingData training = files != null ? new FileTrainingData(files)
          : calibration != null ? TrainingData.of(calibration) : null;
      return new JobData(calibration, eval, training, files);
    } catch (RuntimeException e) {
      if (files != null) {
        files.close();
      }
      throw e;
    }
  }

  private static Optional<Dataset> load(String field, Optional<String> dir, OnnxModel model) {
    try {
      return dir.map(d -> Dataset.fromDirectory(ArtifactRoots.resolve(d), model));
    } catch (DataException e) {
      throw new JobFailure("request", field + ": " + e.getMessage(), e);
    }
  }

  /** @return the calibration samples, or {@code null} when the request has none */
  Dataset calibration() {
    return calibration;
  }

  /** @return the evaluation samples, if the request has them */
  Optional<Dataset> eval() {
    return eval;
  }

  /**
   * @return the training samples: the {@code training} directory's files when the job retrains and has one,
   *     else the calibration samples; {@code null} when there are neither
   */
  TrainingData training() {
    return training;
  }

  @Override
  public void close() {
    if (trainingFiles != null) {
      trainingFiles.close();
    }
  }
}
