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
 * @param latencyMs one batch through the deploy model, median; for {@code --objective latency} the original's time
 *     times the candidate's ratio to it: the confirmed median when {@code confirmedLatency} is present, else its
 *     first reading
 * @param seconds wall time of the run
 * @param outputs where the run's outputs are
 * @param failure why the run failed, when it did (then the figures are those of the original)
 * @param confirmedLatency for a contender of {@code --objective latency}'s answer: its ratio to the original over the
 *     rounds timed after the search, with its interval
 */
public record Verified(int index, Candidate candidate, Quality quality, long deployBytes, double latencyMs,
    double seconds, Optional<Path> outputs, Optional<String> failure, Optional<LatencyEstimate> confirmedLatency) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public Verified {
    Objects.requireNonNull(candidate, "candidate");
    Objects.requireNonNull(quality, "quality");
    Objects.requireNonNull(outputs, "outputs");
    Objects.requireNonNull(failure, "failure");
    Objects.requireNonNull(confirmedLatency, "confirmedLatency");
  }

  /** A run whose latency is its first reading. */
  public Verified(int index, Candidate candidate, Quality quality, long deployBytes, double latencyMs,
      double seconds, Optional<Path> outputs, Optional<String> failure) {
    this(index, candidate, quality, deployBytes, latencyMs, seconds, outputs, failure, Optional.empty());
  }

  /**
   * @param baselineMs the original's time per batch
   * @param confirmed the ratio confirmed in rounds
   * @return this run with its latency at the confirmed median
   */
  Verified withConfirmedLatency(double baselineMs, LatencyEstimate confirmed) {
    return new Verified(index, candidate, quality, deployBytes, baselineMs * confirmed.median(), seconds, outputs,
        failure, Optional.of(confirmed));
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
