package io.compactor.core.cli;

import io.compactor.core.job.ArtifactRoots;
import io.compactor.core.job.JobRequest;
import io.compactor.core.job.S3Location;
import io.compactor.core.job.TuneParameters;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * What one job reads and where its outputs go: the options {@code compress} and {@code submit} share. Each
 * is a path, a {@code file:} URI or an {@code s3://bucket/key} URI (kept as text: a {@code Path} would fold
 * {@code s3://} into {@code s3:/}).
 */
final class JobOptions {
  @Option(names = "--model", required = true, paramLabel = "M.onnx", description = "The ONNX model (path or s3://bucket/key).")
  String model;

  @Spec(Spec.Target.MIXEE) CommandSpec spec;

  @Option(names = "--config", paramLabel = "C.cfg|C.json", description = "AMCT configuration; required to "
      + "compress, a tune's optional base configuration.")
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

  /** @return the compression job {@code id}, with every path made absolute against the working directory */
  JobRequest request(String id) {
    return request(id, Optional.empty());
  }

  /**
   * @param id the job id
   * @param tune the tune parameters of a tune job; empty: a compression job
   * @return the job, with every path made absolute against the working directory
   * @throws ParameterException naming the option a job of that kind needs and did not get
   */
  JobRequest request(String id, Optional<TuneParameters> tune) {
    if (tune.isEmpty() && config == null) {
      throw new ParameterException(spec.commandLine(), "Missing required option: '--config=C.cfg|C.json' (the "
          + "configuration to compress with; or --kind tune to search for one)");
    }
    if (tune.isPresent() && (calibration == null || eval == null)) {
      String budget = TuneOptions.budgetOption(tune.get());
      throw new ParameterException(spec.commandLine(), calibration == null
          ? "--calibration: required by --kind tune; give a directory with <input>.npy per model input"
          : "--eval: required by " + budget + "; the budget is judged on eval data: give a directory with "
              + "<input>.npy per model input" + (tune.get().maxDrop().isPresent() ? " and labels.npy" : ""));
    }
    return new JobRequest(id, absolute("--model", model), Optional.ofNullable(config).map(c -> absolute("--config", c)),
        Optional.ofNullable(calibration).map(c -> absolute("--calibration", c)),
        Optional.ofNullable(eval).map(e -> absolute("--eval", e)), absolute("--output", output),
        Optional.ofNullable(train).map(t -> absolute("--train", t)), tune);
  }

  private static String absolute(String option, String p) {
    return S3Location.isS3(p) ? S3Location.parse(option, p).toString() : ArtifactRoots.resolve(option, p).toString();
  }
}
