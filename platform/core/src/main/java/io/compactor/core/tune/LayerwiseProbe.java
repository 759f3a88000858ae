package io.compactor.core.tune;

import com.fasterxml.jackson.databind.JsonNode;
import io.compactor.api.Capabilities;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The filter-pruning bundle's own layer-wise signal: one sparsity-only run per ratio with every channel group
 * pruned at that ratio, read back from its {@code report.json}: per group the parameters and multiply-adds it
 * removed and the relative output error of its consumers after the bundle's least-squares refit. Cheap (no INT8
 * step), and unlike the stand-ins it includes the reconstruction, so it ranks groups the way the bundle will
 * treat them.
 */
final class LayerwiseProbe {

  /**
   * One group at one ratio, as the bundle did it.
   *
   * @param producers the group's producers
   * @param ratio the ratio asked for
   * @param error the largest relative output error after refit among its consumers (0 without consumers)
   * @param paramsRemoved parameters the bundle removed for this group
   * @param macsRemoved multiply-adds per sample removed
   */
  record Result(List<String> producers, double ratio, double error, long paramsRemoved, long macsRemoved) {}

  private LayerwiseProbe() {}

  /**
   * @param run a verified sparsity-only run
   * @param ratio the ratio every group had
   * @return what its report says per group; empty when the run failed or its report lacks the figures
   */
  static List<Result> read(Verified run, double ratio) {
    Optional<JsonNode> step = run.stepReport(Capabilities.SPARSITY_FILTER);
    if (step.isEmpty()) {
      return List.of();
    }
    Map<String, Double> errors = new HashMap<>();
    for (JsonNode layer : step.get().path("layers")) {
      if (layer.has("error_after_refit")) {
        errors.put(layer.path("node").asText(), layer.path("error_after_refit").asDouble());
      }
    }
    List<Result> out = new ArrayList<>();
    for (JsonNode g : step.get().path("summary").path("group_report")) {
      if (!g.path("status").asText().equals("pruned")) {
        continue;
      }
      List<String> producers = strings(g.path("producers"));
      double error = strings(g.path("consumers")).stream().mapToDouble(c -> errors.getOrDefault(c, 0.0)).max()
          .orElse(0);
      out.add(new Result(producers, ratio, error, g.path("params_removed").asLong(),
          g.path("macs_removed").asLong()));
    }
    return out;
  }

  /** @return the result whose producers include the entry's first operator at the entry's ratio */
  static Optional<Result> find(List<Result> results, Sensitivity.Entry e) {
    return results.stream().filter(r -> r.ratio() == e.choice().ratio() && r.producers().contains(e.nodes().get(0)))
        .findFirst();
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new java.util.ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
