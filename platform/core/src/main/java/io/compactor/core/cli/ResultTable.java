package io.compactor.core.cli;

import io.compactor.core.job.JobEvent;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Prints a completed job's summary as a short table: size, quality, latency, steps with bundles and times. */
final class ResultTable {
  private ResultTable() {}

  static void print(JobEvent completed, PrintWriter out) {
    Map<?, ?> s = completed.data().get("summary") instanceof Map<?, ?> m ? m : Map.of();
    out.println();
    if (completed.data().get("tune") instanceof Map<?, ?> t) {
      row(out, "tune", (Boolean.TRUE.equals(t.get("budgetMet")) ? "met: " : "NOT MET: ") + t.get("answer"));
    }
    if (!s.containsKey("operators")) { // a tune nothing could be verified for: its report says why
      row(out, "outputs", String.valueOf(completed.data().get("outputs")));
      out.flush();
      return;
    }
    row(out, "operators compressed", s.get("compressedOperators") + " of " + s.get("operators"));
    if (s.get("originalBytes") instanceof Number before && s.get("deployBytes") instanceof Number after) {
      row(out, "model size", mb(before) + " -> " + mb(after) + String.format(Locale.ROOT, "  (%.2fx smaller)",
          before.doubleValue() / after.doubleValue()));
    }
    if (s.get("top1Original") instanceof Number a && s.get("top1Compressed") instanceof Number b) {
      row(out, "top-1 accuracy", String.format(Locale.ROOT, "%.2f %% -> %.2f %%", 100 * a.doubleValue(),
          100 * b.doubleValue()));
    }
    if (s.get("meanCosine") instanceof Number c) {
      row(out, "fidelity (cosine)", String.format(Locale.ROOT, "mean %.4f, worst %.4f", c.doubleValue(),
          ((Number) s.get("worstCosine")).doubleValue()));
    }
    if (s.get("retrainedEpochs") instanceof Number epochs) {
      row(out, "retraining", (s.get("retrainedBefore") instanceof Number a && s.get("retrainedAfter") instanceof Number b
          ? String.format(Locale.ROOT, "held-out fidelity %.4f -> %.4f, ", a.doubleValue(), b.doubleValue()) : "")
          + String.format(Locale.ROOT, "%d epochs, %.1f s", epochs.intValue(),
              ((Number) s.get("retrainedSeconds")).doubleValue()));
    }
    if (s.get("latencyOriginalMs") instanceof Number a && s.get("latencyCompressedMs") instanceof Number b) {
      row(out, "latency per batch", String.format(Locale.ROOT, "%.1f ms -> %.1f ms (ONNX Runtime, same run)",
          a.doubleValue(), b.doubleValue()));
    }
    if (s.get("bundles") instanceof List<?> bundles) {
      for (Object o : bundles) {
        if (o instanceof Map<?, ?> b) {
          row(out, "step " + b.get("capability"), b.get("bundle") + " " + b.get("version")
              + (b.get("durationMs") instanceof Number ms ? String.format(Locale.ROOT, ", %.1f s", ms.doubleValue() / 1000) : ""));
        }
      }
    }
    row(out, "total time", s.get("durationMs") + " ms");
    if (completed.data().get("outputs") instanceof Map<?, ?> outputs) {
      outputs.forEach((k, v) -> row(out, String.valueOf(k), String.valueOf(v)));
    }
    out.flush();
  }

  /** @return whether a tune job's candidate meets its budget; empty for a compression job */
  static Optional<Boolean> budgetMet(JobEvent completed) {
    return completed.data().get("tune") instanceof Map<?, ?> t && t.get("budgetMet") instanceof Boolean met
        ? Optional.of(met) : Optional.empty();
  }

  private static void row(PrintWriter out, String label, String value) {
    out.printf("  %-22s %s%n", label, value);
  }

  private static String mb(Number bytes) {
    return String.format(Locale.ROOT, "%.2f MB", bytes.doubleValue() / 1e6);
  }
}
