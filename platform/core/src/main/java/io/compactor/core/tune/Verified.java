package io.compactor.core.tune;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.compactor.core.output.OutputFiles;
import java.io.IOException;
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
  private static final ObjectMapper JSON = new ObjectMapper();

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

  /**
   * Some search phases read back what a step found in the run (a group's refit error, which inputs equalization
   * divided by a {@code Mul}).
   *
   * @param capability a step's capability
   * @return that step's entry in the run's {@code report.json}; empty when the run wrote no readable report or the
   *     report has no such step
   */
  Optional<JsonNode> stepReport(String capability) {
    if (outputs.isEmpty()) {
      return Optional.empty();
    }
    try {
      for (JsonNode step : JSON.readTree(outputs.get().resolve(OutputFiles.REPORT).toFile()).path("steps")) {
        if (step.path("capability").asText().equals(capability)) {
          return Optional.of(step);
        }
      }
    } catch (IOException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }
}
