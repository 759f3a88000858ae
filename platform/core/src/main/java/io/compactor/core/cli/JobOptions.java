package io.compactor.core.cli;

import io.compactor.core.job.ArtifactRoots;
import io.compactor.core.job.JobRequest;
import io.compactor.core.job.S3Location;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * What one job compresses and where its outputs go: the options {@code compress} and {@code submit} share. Each
 * is a path, a {@code file:} URI or an {@code s3://bucket/key} URI (kept as text: a {@code Path} would fold
 * {@code s3://} into {@code s3:/}).
 */
final class JobOptions {
  @Option(names = "--model", required = true, paramLabel = "M.onnx", description = "The ONNX model (path or s3://bucket/key).")
  String model;

  @Option(names = "--config", required = true, paramLabel = "C.cfg|C.json", description = "AMCT configuration.")
  String config;

  @Option(names = "--calibration", paramLabel = "DIR", description = "Calibration data: <input>.npy per model input.")
  String calibration;

  @Option(names = "--eval", paramLabel = "DIR",
      description = "Evaluation data: <input>.npy and optional labels.npy (default: the calibration data).")
  String eval;

  @Option(names = "--train", paramLabel = "DIR", description = "Training data for retraining (compactor_retrain): "
      + "<input>.npy and optional labels.npy (default: the calibration data).")
  String train;

  @Option(names = "--output", required = true, paramLabel = "DIR", description = "Where the outputs go (directory or s3://bucket/prefix).")
  String output;

  /** @return the request for job {@code id}, with every path made absolute against the working directory */
  JobRequest request(String id) {
    return new JobRequest(id, absolute("--model", model), absolute("--config", config),
        Optional.ofNullable(calibration).map(c -> absolute("--calibration", c)),
        Optional.ofNullable(eval).map(e -> absolute("--eval", e)), absolute("--output", output),
        Optional.ofNullable(train).map(t -> absolute("--train", t)));
  }

  private static String absolute(String option, String p) {
    return S3Location.isS3(p) ? S3Location.parse(option, p).toString() : ArtifactRoots.resolve(option, p).toString();
  }
}
