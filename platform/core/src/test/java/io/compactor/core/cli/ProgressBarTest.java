package io.compactor.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.core.job.EventType;
import io.compactor.core.job.JobEvent;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The progress bar fits the terminal when live and writes plain lines, one per event, when not. */
class ProgressBarTest {
  private static final String LAYER = "/encoder/layer.3/attention/output/dense/MatMul_quantized_with_a_very_long_name";

  /** A job of two steps with long names, as the chain publishes it. */
  private static List<JobEvent> job() {
    Map<String, Object> provider = Map.of("bundle", "io.compactor.bundle.quantint8", "version", "0.1.0.202612070200");
    return List.of(
        event(EventType.ACCEPTED, Map.of("instance", "host-1234")),
        event(EventType.PLANNED, Map.of("operators", 36, "combinations", Map.of("2of4+int8", 36, "none", 0))),
        event(EventType.STEP_STARTED, Map.of("index", 1, "steps", 2, "capability", "sparsity.2of4",
            "provider", provider, "layers", 36)),
        event(EventType.STEP_PROGRESS, Map.of("percent", 2.8, "layer", LAYER)),
        event(EventType.STEP_PROGRESS, Map.of("percent", 61.1, "layer", LAYER + "/next")),
        event(EventType.STEP_COMPLETED, Map.of("durationMs", 1234)),
        event(EventType.STEP_STARTED, Map.of("index", 2, "steps", 2, "capability", "quant.int8",
            "provider", provider, "layers", 36)),
        event(EventType.STEP_PROGRESS, Map.of("percent", 100.0, "layer", "short")),
        event(EventType.STEP_COMPLETED, Map.of("durationMs", 99)),
        event(EventType.COMPLETED, Map.of("outputs", "/out/model.deploy.onnx")));
  }

  private static JobEvent event(EventType type, Map<String, Object> data) {
    return JobEvent.of(type, "job-1", data);
  }

  private static String draw(boolean live, int columns) {
    StringWriter text = new StringWriter();
    ProgressBar bar = new ProgressBar(new PrintWriter(text), live, columns);
    job().forEach(bar::publish);
    return text.toString();
  }

  @Test
  void onATerminalEveryRedrawnLineFitsTheWidth() {
    for (int columns : new int[] {80, 60, 40, 132}) {
      String out = draw(true, columns);
      List<String> redrawn = redrawn(out);
      assertEquals(4, redrawn.size(), "three progress events and the 100 % of the first step: " + out);
      for (String line : redrawn) {
        assertTrue(line.length() < columns, columns + " columns, " + line.length() + ": " + line);
      }
    }
    String wide = draw(true, 80);
    assertTrue(wide.contains("[1/2] sparsity.2of4 ##################------------  61% ..."), wide);
    assertTrue(wide.contains("_very_long_name/next"), "the layer's end is kept: " + wide);
    assertTrue(wide.contains("[2/2] quant.int8 ############################## 100% short\u001b[K\n"), wide);
  }

  @Test
  void elsewhereEveryEventIsOnePlainLine() {
    String out = draw(false, 80);
    assertFalse(out.contains("\r") || out.contains("\u001b"), out);
    List<String> lines = out.lines().toList();
    assertEquals(job().size(), lines.size(), out);
    assertEquals("[1/2] sparsity.2of4   3% " + LAYER, lines.get(3));
    assertEquals("[1/2] sparsity.2of4  61% " + LAYER + "/next", lines.get(4));
    assertEquals("[1/2] sparsity.2of4 done in 1234 ms", lines.get(5));
    assertEquals("planned: 36 operators, {2of4+int8=36}", lines.get(1));
  }

  @Test
  void theWidthComesFromColumnsOr80() {
    assertEquals(120, ProgressBar.columns(Map.of("COLUMNS", "120")));
    assertEquals(80, ProgressBar.columns(Map.of()));
    assertEquals(80, ProgressBar.columns(Map.of("COLUMNS", "wide")));
    assertEquals(80, ProgressBar.columns(Map.of("COLUMNS", "0")));
    assertThrows(IllegalArgumentException.class, () -> new ProgressBar(new PrintWriter(new StringWriter()), true, 0));
    assertTrue(redrawn(draw(true, 10)).stream().allMatch(l -> l.length() < 10), "a tiny terminal too");
  }

  /** @return the texts drawn in place: each between a carriage return and the clear-to-end-of-line code */
  private static List<String> redrawn(String out) {
    List<String> lines = new ArrayList<>();
    for (int at = out.indexOf('\r'); at >= 0; at = out.indexOf('\r', at + 1)) {
      int end = out.indexOf("\u001b[K", at);
      assertTrue(end > at, "a redraw clears the rest of the line: " + out.substring(at));
      lines.add(out.substring(at + 1, end));
    }
    return lines;
  }

  @Test
  void aRetrainingStepShowsEpochLossAndHeldOutFidelity() {
    StringWriter text = new StringWriter();
    ProgressBar bar = new ProgressBar(new PrintWriter(text), false, 80);
    bar.publish(event(EventType.STEP_STARTED, Map.of("index", 3, "steps", 3, "capability", "retrain.distill",
        "provider", Map.of("bundle", "b", "version", "1"), "layers", 4)));
    bar.publish(event(EventType.STEP_PROGRESS, Map.of("percent", 66.7, "done", 2, "total", 3, "epoch", 2, "epochs", 3,
        "loss", 0.041234, "heldOutFidelity", 0.98712)));
    bar.publish(event(EventType.STEP_PROGRESS, Map.of("percent", 100.0, "done", 3, "total", 3, "epoch", 3,
        "epochs", 3)));

    List<String> lines = text.toString().lines().toList();
    assertEquals("[3/3] retrain.distill  67% epoch 2/3 loss 0.04123 held-out 0.9871", lines.get(1), text.toString());
    assertEquals("[3/3] retrain.distill 100% epoch 3/3", lines.get(2), "no loss reported, none shown");
  }

  @Test
  void aTuneShowsItsSensitivityAsABarAndEachVerifiedCandidateWithTheBestSoFar() {
    StringWriter text = new StringWriter();
    ProgressBar bar = new ProgressBar(new PrintWriter(text), false, 80);
    bar.publish(event(EventType.TUNE_PROGRESS, Map.of("phase", "sensitivity", "done", 3, "total", 6, "percent", 50.0,
        "detail", "conv1 int8 static: cost 0.00012", "candidatesVerified", 0)));
    bar.publish(event(EventType.TUNE_PROGRESS, Map.of("phase", "verify", "done", 1, "total", 1, "percent", 100.0,
        "detail", "candidate 1 (3 × int8 static): cosine 0.9990", "candidatesVerified", 1,
        "best", Map.of("index", 1, "meetsBudget", true))));
    List<String> lines = text.toString().lines().toList();
    assertEquals(List.of("[tune] sensitivity  50% conv1 int8 static: cost 0.00012",
        "[tune] verify candidate 1 (3 × int8 static): cosine 0.9990 | best: candidate 1"), lines);
  }
}
