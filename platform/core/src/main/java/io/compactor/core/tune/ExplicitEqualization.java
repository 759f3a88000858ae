package io.compactor.core.tune;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.compactor.api.Capabilities;
import io.compactor.core.output.OutputFiles;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The layers whose input the INT8 step divided by an explicit {@code Mul} (its metric {@code equalization_division:
 * mul}), read from a verified run's {@code report.json}: the equalizations that cost the deploy model an
 * elementwise op per run, which {@code compactor_equalization: FOLDED} leaves out.
 */
final class ExplicitEqualization {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ExplicitEqualization() {}

  /** @return the layers, in report order; empty when the run failed, wrote no report or has none */
  static List<String> layers(Verified run) {
    List<String> out = new ArrayList<>();
    if (run.outputs().isEmpty()) {
      return out;
    }
    JsonNode report;
    try {
      report = JSON.readTree(run.outputs().get().resolve(OutputFiles.REPORT).toFile());
    } catch (IOException e) {
      return out;
    }
    for (JsonNode step : report.path("steps")) {
      if (step.path("capability").asText().equals(Capabilities.QUANT_INT8)) {
        for (JsonNode layer : step.path("layers")) {
          if (layer.path("equalization_division").asText().equals("mul")) {
            out.add(layer.path("node").asText());
          }
        }
      }
    }
    return out;
  }
}
