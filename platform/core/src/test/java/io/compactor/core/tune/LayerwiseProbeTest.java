package io.compactor.core.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerwiseProbeTest {
  @TempDir Path dir;

  /** The shape of the filter bundle's step in report.json: group_report in the summary, refit errors per layer. */
  private static final String REPORT = """
      {"steps": [{"capability": "sparsity.filter", "summary": {"group_report": [
        {"producers": ["a", "b"], "consumers": ["c", "d"], "status": "pruned", "params_removed": 100,
         "macs_removed": 1000},
        {"producers": ["e"], "consumers": ["f"], "status": "kept", "params_removed": 0, "macs_removed": 0}]},
        "layers": [{"node": "a", "status": "pruned"}, {"node": "c", "error_after_refit": 0.05},
                   {"node": "d", "error_after_refit": 0.2}]}]}
      """;

  @Test
  void aGroupCostsItsWorstConsumersRefitErrorAndGainsWhatTheBundleRemoved() throws Exception {
    Files.writeString(dir.resolve("report.json"), REPORT);
    Verified run = new Verified(1, Candidate.of(List.of(), Map.of()), Quality.LOSSLESS, 1, 1, 1, Optional.of(dir),
        Optional.empty());
    List<LayerwiseProbe.Result> results = LayerwiseProbe.read(run, 0.5);

    assertEquals(1, results.size(), "a kept group measured nothing");
    LayerwiseProbe.Result r = results.get(0);
    assertEquals(0.2, r.error(), 1e-12);
    assertEquals(100, r.paramsRemoved());
    Sensitivity.Entry b = new Sensitivity.Entry(List.of("b"), "Conv", Choice.filter(0.5), 0, Quality.LOSSLESS,
        List.of());
    assertTrue(LayerwiseProbe.find(results, b).isPresent());
    Sensitivity.Entry otherRatio = new Sensitivity.Entry(List.of("b"), "Conv", Choice.filter(0.25), 0,
        Quality.LOSSLESS, List.of());
    assertTrue(LayerwiseProbe.find(results, otherRatio).isEmpty());
  }

  @Test
  void aFailedRunHasNoSignal() {
    Verified failed = new Verified(2, Candidate.of(List.of(), Map.of()), Quality.LOSSLESS, 1, 1, 1, Optional.empty(),
        Optional.of("step failed"));
    assertEquals(List.of(), LayerwiseProbe.read(failed, 0.5));
  }
}
