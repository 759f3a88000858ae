package io.compactor.core.job;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One job as submitted on {@code compactor.jobs} (key = job id): a compression ({@code "kind": "compress"}, the
 * default) or a tune ({@code "kind": "tune"}, with its {@link TuneParameters}). Model, configuration and data
 * travel as paths or URIs, never as bytes. Immutable; every field is bounded ({@link JobLimits}); see
 * {@code schemas/job-request.schema.json}.
 *
 * @param jobId client-chosen id, the Kafka key and the idempotency key
 * @param model the ONNX model
 * @param config the AMCT configuration ({@code .json} or {@code .cfg}); required to compress, a tune's optional
 *     base configuration
 * @param calibration directory of {@code <input>.npy} calibration samples, if any (required to tune)
 * @param eval directory of evaluation samples (and optional {@code labels.npy}), if any (required to tune: the
 *     budget is judged on it)
 * @param output directory for {@code model.deploy.onnx}, {@code model.fakequant.onnx}, {@code report.json} (and a
 *     tune's {@code tuned.cfg}, {@code tuned.json}, {@code tune-report.json}, ...)
 * @param training directory of training samples for retraining ({@code compactor_retrain}), same format as the
 *     calibration data; empty: the calibration data
 * @param tune what to tune for; empty: a compression job
 */
public record JobRequest(String jobId, String model, Optional<String> config, Optional<String> calibration,
    Optional<String> eval, String output, Optional<String> training, Optional<TuneParameters> tune) {
  /** Job ids are safe as Kafka keys, file names and metric-free log fields. */
  public static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  /** What a job does, the request's {@code kind}. */
  public enum Kind {
    /** runs the configuration through the chain */
    COMPRESS,
    /** searches the configuration under an accuracy budget */
    TUNE;

    /** @return the request's and the metrics' name, e.g. {@code tune} */
    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** A compression job. */
  public JobRequest(String jobId, String model, String config, Optional<String> calibration, Optional<String> eval,
      String output, Optional<String> training) {
    this(jobId, model, Optional.of(config), calibration, eval, output, training, Optional.empty());
  }

  /** A compression job without its own training data. */
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
    Objects.requireNonNull(tune, "tune");
    if (!JOB_ID.matcher(jobId).matches()) {
      throw new InvalidRequestException("jobId", "must match " + JOB_ID.pattern() + " (letters, digits, '.', '_', '-';"
          + " at most " + JobLimits.MAX_JOB_ID_CHARS + " characters), got '" + JobLimits.cut(jobId, JobLimits.MAX_JOB_ID_CHARS + 1) + "'");
    }
    if (tune.isEmpty() && config.isEmpty()) {
      throw new InvalidRequestException("config", "required by a compression job; give the AMCT configuration "
          + "(.cfg or .json), or \"kind\": \"tune\" to search for one");
    }
    if (tune.isPresent() && calibration.isEmpty()) {
      throw new InvalidRequestException("calibration", "required by a tune job; give a directory with one "
          + "<graph-input-name>.npy per model input");
    }
    if (tune.isPresent() && eval.isEmpty()) {
      throw new InvalidRequestException("eval", "required by a tune job: the budget is judged on eval data; give a "
          + "directory with <graph-input-name>.npy per model input" + (tune.get().maxDrop().isPresent()
          ? " and labels.npy (maxDrop)" : ""));
    }
    inputs(model, config, calibration, eval, training).forEach(JobRequest::checkPath);
    checkPath("output", output);
  }

  /** @return {@link Kind#TUNE} when the request carries tune parameters, else {@link Kind#COMPRESS} */
  public Kind kind() {
    return tune.isPresent() ? Kind.TUNE : Kind.COMPRESS;
  }

  /**
   * @return the inputs given, field name to path or URI, in the order model, config, calibration, eval,
   *     training: the one list of a request's inputs for whatever stages, names or echoes them
   */
  public Map<String, String> inputs() {
    return inputs(model, config, calibration, eval, training);
  }

  private static Map<String, String> inputs(String model, Optional<String> config, Optional<String> calibration,
      Optional<String> eval, Optional<String> training) {
    Map<String, String> inputs = new LinkedHashMap<>();
    inputs.put("model", model);
    config.ifPresent(c -> inputs.put("config", c));
    calibration.ifPresent(c -> inputs.put("calibration", c));
    eval.ifPresent(e -> inputs.put("eval", e));
    training.ifPresent(t -> inputs.put("training", t));
    return Collections.unmodifiableMap(inputs);
  }

  /** @return the same job writing its outputs to {@code output} (an attempt's staging directory) */
  public JobRequest withOutput(String output) {
    return new JobRequest(jobId, model, config, calibration, eval, output, training, tune);
  }

  /**
   * @param where the new location of each input, by field name as {@link #inputs()} names them (real paths
   *     checked, staged copies); an input missing from it keeps its location
   * @param output the new output location
   * @return the same job (kind, tune parameters) on the new locations
   */
  public JobRequest relocated(Map<String, String> where, String output) {
    return new JobRequest(jobId, where.getOrDefault("model", model),
        config.map(c -> where.getOrDefault("config", c)), calibration.map(c -> where.getOrDefault("calibration", c)),
        eval.map(e -> where.getOrDefault("eval", e)), output, training.map(t -> where.getOrDefault("training", t)),
        tune);
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
