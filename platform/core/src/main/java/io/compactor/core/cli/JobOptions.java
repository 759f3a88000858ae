package io.compactor.core.cli;

import io.compactor.core.job.ArtifactRoots;
import io.compactor.core.job.JobRequest;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** What one job compresses and where its outputs go: the options {@code compress} and {@code submit} share. */
final class JobOptions {
  @Option(names = "--model", required = true, paramLabel = "M.onnx", description = "The ONNX model.")
  Path model;

  @Option(names = "--config", required = true, paramLabel = "C.cfg|C.json", description = "AMCT configuration.")
  Path config;

  @Option(names = "--calibration", paramLabel = "DIR", description = "Calibration data: <input>.npy per model input.")
  Path calibration;

  @Option(names = "--eval", paramLabel = "DIR",
      description = "Evaluation data: <input>.npy and optional labels.npy (default: the calibration data).")
  Path eval;

  @Option(names = "--train", paramLabel = "DIR", description = "Training data for retraining (compactor_retrain): "
      + "<input>.npy and optional labels.npy (default: the calibration data).")
  Path train;

  @Option(names = "--output", required = true, paramLabel = "DIR", description = "Where the outputs go.")
  Path output;

  /** @return the request for job {@code id}, with every path made absolute against the working directory */
  JobRequest request(String id) {
    return new JobRequest(id, absolute("--model", model), absolute("--config", config),
        Optional.ofNullable(calibration).map(c -> absolute("--calibration", c)),
        Optional.ofNullable(eval).map(e -> absolute("--eval", e)), absolute("--output", output),
        Optional.ofNullable(train).map(t -> absolute("--train", t)));
  }

  private static String absolute(String option, Path p) {
    return ArtifactRoots.resolve(option, p.toString()).toString();
  }
}
