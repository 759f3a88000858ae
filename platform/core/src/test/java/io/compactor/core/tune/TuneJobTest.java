package io.compactor.core.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.core.job.TuneParameters;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A job's tune parameters read as the command line's, and the tuner's messages naming the request's fields. */
class TuneJobTest {
  private static final Path P = Path.of("/d");

  private static TuneRequest read(TuneParameters p) {
    return TuneRequest.of(p, P, P, P, Optional.empty(), Optional.empty(), P);
  }

  @Test
  void theParametersAreReadAsTuneReadsItsOptions() {
    TuneRequest defaults = read(new TuneParameters(Optional.of(0.5), Optional.empty(), "size", Optional.empty(),
        Optional.empty(), Optional.empty()));
    assertEquals(new Budget(Budget.Kind.MAX_DROP, 0.5), defaults.budget());
    assertEquals(Objective.SIZE, defaults.objective());
    assertTrue(defaults.space().isEmpty(), "the installed bundles decide");
    TuneRequest narrow = read(new TuneParameters(Optional.empty(), Optional.of(0.99), "latency",
        Optional.of(List.of("quant.int8")), Optional.empty(), Optional.of(List.of("dynamic"))));
    SearchSpace space = narrow.space().orElseThrow();
    assertEquals(java.util.Set.of(Choice.Quant.DYNAMIC), space.int8());
    assertTrue(!space.filter() && !space.twoOfFour());
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> read(new TuneParameters(
        Optional.of(1.0), Optional.empty(), "size", Optional.empty(), Optional.empty(), Optional.of(List.of("fp8")))));
    assertTrue(bad.getMessage().startsWith("--int8: unknown form 'fp8'"), bad.getMessage());
  }

  @Test
  void aTunerMessageNamesTheRequestFieldInsteadOfTheOption() {
    assertEquals("maxDrop: needs labels", TuneJob.field("--max-drop: needs labels"));
    assertEquals("filterRatios: each ratio lies strictly between 0 and 1",
        TuneJob.field("--filter-ratios: each ratio lies strictly between 0 and 1"));
    assertEquals("training: no such directory", TuneJob.field("--train: no such directory"));
    assertEquals("model.onnx: opset 99", TuneJob.field("model.onnx: opset 99"), "no option, unchanged");
  }
}
