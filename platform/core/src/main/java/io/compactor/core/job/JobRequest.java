package io.compactor.core.job;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One compression job as submitted on {@code compactor.jobs} (key = job id). Model, configuration and
 * data travel as paths or {@code file:} URIs, never as bytes. Immutable; every field is bounded ({@link JobLimits}); see
 * {@code schemas/job-request.schema.json}.
 *
 * @param jobId client-chosen id, the Kafka key and the idempotency key
 * @param model the ONNX model
 * @param config the AMCT configuration ({@code .json} or {@code .cfg})
 * @param calibration directory of {@code <input>.npy} calibration samples, if any
 * @param eval directory of evaluation samples (and optional {@code labels.npy}), if any
 * @param output directory for {@code model.deploy.onnx}, {@code model.fakequant.onnx}, {@code report.json}
 * @param training directory of training samples for retraining ({@code compactor_retrain}), same format as the
 *     calibration data; empty: the calibration data
 */
public record JobRequest(String jobId, String model, String config, Optional<String> calibration,
    Optional<String> eval, String output, Optional<String> training) {
  /** Job ids are safe as Kafka keys, file names and metric-free log fields. */
  public static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  /** A request without its own training data. */
  public JobRequest(String jobId, String model, String config, Optional<String> calibration, Optional<String> eval,
      String output) {
    this(jobId, model, config, calibration, eval, output, Optional.empty());
  }

  public JobRequest {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(training, "training");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(calibration, "calibration");
    Objects.requireNonNull(eval, "eval");
    Objects.requireNonNull(output, "output");
    if (!JOB_ID.matcher(jobId).matches()) {
      throw new InvalidRequestException("jobId", "must match " + JOB_ID.pattern() + " (letters, digits, '.', '_', '-';"
          + " at most " + JobLimits.MAX_JOB_ID_CHARS + " characters), got '" + JobLimits.cut(jobId, JobLimits.MAX_JOB_ID_CHARS + 1) + "'");
    }
    checkPath("model", model);
    checkPath("config", config);
    calibration.ifPresent(c -> checkPath("calibration", c));
    eval.ifPresent(e -> checkPath("eval", e));
    training.ifPresent(t -> checkPath("training", t));
    checkPath("output", output);
  }

  /**
   * @return the inputs given, field name to path or URI, in the order model, config, calibration, eval,
   *     training: the one list of a request's inputs for whatever stages, names or echoes them
   */
  public Map<String, String> inputs() {
    Map<String, String> inputs = new LinkedHashMap<>();
    inputs.put("model", model);
    inputs.put("config", config);
    calibration.ifPresent(c -> inputs.put("calibration", c));
    eval.ifPresent(e -> inputs.put("eval", e));
    training.ifPresent(t -> inputs.put("training", t));
    return Collections.unmodifiableMap(inputs);
  }

  /** @return the same job writing its outputs to {@code output} (an attempt's staging directory) */
  public JobRequest withOutput(String output) {
    return new JobRequest(jobId, model, config, calibration, eval, output, training);
  }

  /** Paths are bounded (every event that echoes them stays small) and free of control characters (log lines). */
  private static void checkPath(String field, String value) {
    if (value.isEmpty()) {
      throw new InvalidRequestException(field, "must not be empty; give a path or file: URI");
    }
    if (value.length() > JobLimits.MAX_PATH_CHARS) {
      throw new InvalidRequestException(field, value.length() + " characters, more than the "
          + JobLimits.MAX_PATH_CHARS + " a path may have");
    }
    if (value.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw new InvalidRequestException(field, "contains a control character (newline, NUL, ...); "
          + "give a plain path or file: URI");
    }
  }
}
