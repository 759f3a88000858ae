package io.compactor.core.cli;

import io.compactor.core.job.EventSink;
import io.compactor.core.job.JobEvent;
import java.io.PrintWriter;
import java.util.Map;

/**
 * Draws a job's events as one line per step with a live bar: {@code [2/2] quant.int8 ########----- 61%
 * /encoder/layer.3/.../MatMul}. Writes carriage returns only when the output is a terminal.
 */
final class ProgressBar implements EventSink {
  private static final int WIDTH = 30;
  private final PrintWriter out;
  private final boolean live;
  private String step = "";
  private int lastPercent = -1;

  ProgressBar(PrintWriter out, boolean live) {
    this.out = out;
    this.live = live;
  }

  @Override
  public synchronized void publish(JobEvent e) {
    Map<String, Object> d = e.data();
    switch (e.type()) {
      case ACCEPTED -> line("accepted by " + d.get("instance"));
      case PLANNED -> line("planned: " + d.get("operators") + " operators, " + nonZero(d.get("combinations")));
      case STEP_STARTED -> {
        step = "[" + d.get("index") + "/" + d.get("steps") + "] " + d.get("capability");
        lastPercent = -1;
        Object p = d.get("provider");
        line(step + " on " + (p instanceof Map<?, ?> m ? m.get("bundle") + " " + m.get("version") : "?")
            + ", " + d.get("layers") + " layers");
      }
      case STEP_PROGRESS -> bar(((Number) d.get("percent")).doubleValue(), String.valueOf(d.get("layer")));
      case STEP_COMPLETED -> {
        if (lastPercent != 100) {
          bar(100, "");
        }
        finishBar();
        line(step + " done in " + d.get("durationMs") + " ms");
      }
      case COMPLETED -> line("completed: " + d.get("outputs"));
      case FAILED -> {
        finishBar();
        line("failed (" + d.get("stage") + "): " + d.get("reason"));
      }
      case CANCELLED -> {
        finishBar();
        line("cancelled" + (d.containsKey("layer") ? " at " + d.get("layer") : ""));
      }
    }
    out.flush();
  }

  private void bar(double percent, String layer) {
    int p = (int) Math.round(percent);
    if (!live && p / 10 == lastPercent / 10 && p != 100) {
      return; // in logs: one line per 10 %
    }
    lastPercent = p;
    int filled = (int) Math.round(percent / 100 * WIDTH);
    String text = String.format("%s %s%s %3d%% %s", step, "#".repeat(filled), "-".repeat(WIDTH - filled), p,
        layer.length() > 60 ? "..." + layer.substring(layer.length() - 57) : layer);
    if (live) {
      out.print("\r" + text + "\u001b[K");
    } else {
      out.println(text);
    }
  }

  private void finishBar() {
    if (live && lastPercent >= 0) {
      out.println();
    }
    lastPercent = -1;
  }

  /** @return the combinations some operator got, e.g. {@code {2of4+int8=36, none=0}} without the zeros */
  private static String nonZero(Object combinations) {
    if (!(combinations instanceof Map<?, ?> m)) {
      return String.valueOf(combinations);
    }
    Map<Object, Object> out = new java.util.LinkedHashMap<>();
    m.forEach((k, v) -> {
      if (!(v instanceof Number n) || n.intValue() != 0) {
        out.put(k, v);
      }
    });
    return out.toString();
  }

  private void line(String text) {
    out.println(text);
  }
}
