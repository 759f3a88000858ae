package io.compactor.core.tune;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.compactor.api.Capabilities;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The activations the INT8 step divided by an explicit {@code Mul} (its metric {@code equalization_division:
 * mul}), read from a verified run's {@code report.json}: the equalizations that cost the deploy model an
 * elementwise op per run, which {@code compactor_equalization: FOLDED} on their readers leaves out.
 */
final class ExplicitEqualization {
  /**
   * One activation divided by an explicit {@code Mul}.
   *
   * @param tensor the activation
   * @param channels its channels: the {@code Mul} touches that many values per token or pixel
   * @param layers the INT8 layers reading it
   */
  record Activation(String tensor, int channels, List<String> layers) {}

  private ExplicitEqualization() {}

  /**
   * @return the activations, widest first (the costliest {@code Mul}s at run time), then in report order; empty
   *     when the run failed, wrote no report or has none
   */
  static List<Activation> ranked(Verified run) {
    Map<String, Activation> found = new LinkedHashMap<>();
    JsonNode layers = run.stepReport(Capabilities.QUANT_INT8).map(s -> s.path("layers"))
        .orElse(MissingNode.getInstance());
    for (JsonNode layer : layers) {
      if (layer.path("equalization_division").asText().equals("mul")) {
        String tensor = layer.path("equalization_input").asText();
        found.computeIfAbsent(tensor, t -> new Activation(t, layer.path("equalization_channels").asInt(),
            new ArrayList<>())).layers().add(layer.path("node").asText());
      }
    }
    List<Activation> out = new ArrayList<>(found.values());
    out.sort(Comparator.comparingInt(Activation::channels).reversed());
    return out;
  }
}
