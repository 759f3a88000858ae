package io.compactor.core.job;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One compression job as submitted on {@code compactor.jobs} (key = job id). Model, configuration and
 * data travel as paths or {@code file:} URIs, never as bytes. Immutable; see
 * {@code schemas/job-request.schema.json}.
 *
 * @param jobId client-chosen id, the Kafka key and the idempotency key
 * @param model the ONNX model
 * @param config the AMCT configuration ({@code .json} or {@code .cfg})
 * @param calibration directory of {@code <input>.npy} calibration samples, if any
 * @param eval directory of evaluation samples (and optional {@code labels.npy}), if any
 * @param output directory for {@code model.deploy.onnx}, {@code model.fakequant.onnx}, {@code report.json}
 */
public record JobRequest(String jobId, String model, String config, Optional<String> calibration,
    Optional<String> eval, String output) {
  /** Job ids are safe as Kafka keys, file names and metric-free log fields. */
  public static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  public JobRequest {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(calibration, "calibration");
    Objects.requireNonNull(eval, "eval");
    Objects.requireNonNull(output, "output");
    if (!JOB_ID.matcher(jobId).matches()) {
      throw new IllegalArgumentException("jobId: must match " + JOB_ID.pattern() + ", got '" + jobId + "'");
    }
  }
}
