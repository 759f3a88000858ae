package io.compactor.core.tune;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * A candidate run end to end through the chain (the real bundles, retraining when configured) and measured on
 * the eval data.
 *
 * @param index its number in the order verified, from 1; 0 is the uncompressed model
 * @param candidate what each operator got
 * @param quality what the deploy model keeps
 * @param deployBytes size of {@code model.deploy.onnx}
 * @param latencyMs one batch through the deploy model, median
 * @param seconds wall time of the run
 * @param outputs where the run's outputs are
 * @param failure why the run failed, when it did (then the figures are those of the original)
 */
public record Verified(int index, Candidate candidate, Quality quality, long deployBytes, double latencyMs,
    double seconds, Optional<Path> outputs, Optional<String> failure) {
  public Verified {
    Objects.requireNonNull(candidate, "candidate");
    Objects.requireNonNull(quality, "quality");
    Objects.requireNonNull(outputs, "outputs");
    Objects.requireNonNull(failure, "failure");
  }

  /** @return whether the run finished and meets the budget */
  public boolean meets(Budget budget) {
    return failure.isEmpty() && budget.met(quality);
  }
}
