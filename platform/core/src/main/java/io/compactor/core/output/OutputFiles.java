package io.compactor.core.output;

import io.compactor.onnx.ModelException;
import io.compactor.onnx.graph.OnnxModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * The files one job leaves in its output directory: the deploy model, the fake-quant model and
 * {@code report.json}. The names are a contract (DESIGN.md, the {@code completed} event).
 */
public final class OutputFiles {
  /** The deployable model: QDQ INT8, pruned channels removed. */
  public static final String DEPLOY_MODEL = "model.deploy.onnx";
  /** The float simulation of the same quantization. */
  public static final String FAKEQUANT_MODEL = "model.fakequant.onnx";
  /** Plan, per-layer statistics, sizes, quality, bundles and durations. */
  public static final String REPORT = "report.json";
  private final Path directory;

  /** @param directory the job's output directory, created on first write */
  public OutputFiles(Path directory) {
    this.directory = Objects.requireNonNull(directory, "directory");
  }

  /** @return where the deploy model goes */
  public Path deployModel() {
    return directory.resolve(DEPLOY_MODEL);
  }

  /** @return where the fake-quant model goes */
  public Path fakequantModel() {
    return directory.resolve(FAKEQUANT_MODEL);
  }

  /** @return where {@code report.json} goes */
  public Path report() {
    return directory.resolve(REPORT);
  }

  /**
   * Writes both models.
   *
   * @throws OutputException (stage {@code export}) naming the directory when a file cannot be written
   */
  public void writeModels(OnnxModel fakequant, OnnxModel deploy) {
    try {
      Files.createDirectories(directory);
      fakequant.save(fakequantModel());
      deploy.save(deployModel());
    } catch (IOException | UncheckedIOException | ModelException e) {
      throw new OutputException("export", "output: cannot write to " + directory + ": " + e.getMessage(), e);
    }
  }

  /** @return the {@code outputs} field of the {@code completed} event */
  public Map<String, Object> eventFields() {
    return Map.of("deployModel", deployModel().toString(), "fakequantModel", fakequantModel().toString(),
        "report", report().toString());
  }
}
