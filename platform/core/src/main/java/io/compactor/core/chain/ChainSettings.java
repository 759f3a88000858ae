package io.compactor.core.chain;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How the chain runs jobs.
 *
 * @param batchSize samples per ONNX Runtime run, for layer capture and evaluation
 * @param providerPatience how long a job waits for a capability whose provider is briefly absent (a jar being
 *     replaced) before it fails
 * @param workRoot where steps get their private temporary directories
 */
public record ChainSettings(int batchSize, Duration providerPatience, Path workRoot) {
  public ChainSettings {
    Objects.requireNonNull(providerPatience, "providerPatience");
    Objects.requireNonNull(workRoot, "workRoot");
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize: must be at least 1, got " + batchSize);
    }
  }

  /** @return batches of 16, five seconds of patience, temporary files under {@code java.io.tmpdir} */
  public static ChainSettings defaults() {
    return new ChainSettings(16, Duration.ofSeconds(5), Path.of(System.getProperty("java.io.tmpdir")));
  }
}
