package io.compactor.core.cli;

import io.compactor.core.job.EventSink;
import io.compactor.core.job.JobEvent;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Draws a job's events. On a terminal: one line per step with a live bar redrawn in place, {@code [2/2]
 * quant.int8 ########----- 61% .../layer.3/MatMul}, never wider than the terminal (a wider line would wrap
 * and the carriage return would redraw only its last part). Elsewhere (a pipe, a log file): plain lines,
 * one per event, without carriage returns or escape codes.
 */
final class ProgressBar implements EventSink {
  /** Width assumed when the terminal does not say ({@code COLUMNS} unset or not a number). */
  static final int DEFAULT_COLUMNS = 80;
  private static final int MAX_BAR = 30;
  private static final int MIN_LAYER = 12;
  private final PrintWriter out;
  private final boolean live;
  private final int columns;
  private String step = "";
  private int lastPercent = -1;

  /**
   * @param out where to draw
   * @param live true to redraw a bar in place (a terminal), false for plain lines
   * @param columns the terminal's width; only used when live
   */
  ProgressBar(PrintWriter out, boolean live, int columns) {
    if (columns < 1) {
      throw new IllegalArgumentException("columns must be at least 1, got " + columns);
    }
    this.out = out;
    this.live = live;
    this.columns = columns;
  }

  /** @return a bar for this process's console: live when there is one, as wide as {@code COLUMNS} says */
  static ProgressBar forConsole(PrintWriter out) {
    return new ProgressBar(out, System.console() != null, columns(System.getenv()));
  }

  /**
   * @param env the environment
   * @return {@code COLUMNS} when it is a positive whole number, else {@value #DEFAULT_COLUMNS}
   */
  static int columns(Map<String, String> env) {
    try {
      int c = Integer.parseInt(env.getOrDefault("COLUMNS", "").trim());
      return c > 0 ? c : DEFAULT_COLUMNS;
    } catch (NumberFormatException e) {
      return DEFAULT_COLUMNS;
    }
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
      case STEP_PROGRESS -> progress(((Number) d.get("percent")).doubleValue(),
          d.containsKey("epoch") ? epoch(d) : String.valueOf(d.getOrDefault("layer", "")));
      case STEP_COMPLETED -> {
        if (live && lastPercent != 100) {
          progress(100, "");
        }
        finishBar();
        line(step + " done in " + d.get("durationMs") + " ms");
      }
      case TUNE_PROGRESS -> tune(d);
      case COMPLETED -> {
        finishBar();
        line("completed: " + d.get("outputs"));
      }
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

  private void progress(double percent, String layer) {
    int p = (int) Math.round(percent);
    lastPercent = p;
    if (live) {
      out.print("\r" + barLine(percent, layer) + "\u001b[K");
    } else {
      out.println(String.format("%s %3d%% %s", step, p, layer).stripTrailing());
    }
  }

  /** @return the bar line, at most {@code columns - 1} wide: a full-width line would wrap on some terminals */
  private String barLine(double percent, String layer) {
    int budget = columns - 1;
    String head = step + " ";
    String tail = String.format(" %3d%%", (int) Math.round(percent));
    int room = budget - head.length() - tail.length();
    int bar = Math.max(0, Math.min(MAX_BAR, room - (layer.isEmpty() ? 0 : MIN_LAYER + 1)));
    int filled = (int) Math.round(percent / 100 * bar);
    String text = head + "#".repeat(filled) + "-".repeat(bar - filled) + tail;
    int layerRoom = budget - text.length() - 1;
    if (!layer.isEmpty() && layerRoom >= 4) {
      text += " " + (layer.length() <= layerRoom ? layer : "..." + layer.substring(layer.length() - layerRoom + 3));
    }
    return text.length() <= budget ? text : text.substring(0, budget);
  }

  private void finishBar() {
    if (live && lastPercent >= 0) {
      out.println();
    }
    lastPercent = -1;
  }

  /** A tune's phase as a bar (sensitivity) or a line per search step and verified candidate. */
  private void tune(Map<String, Object> d) {
    String phase = String.valueOf(d.get("phase"));
    String best = d.get("best") instanceof Map<?, ?> b ? " | best: candidate " + b.get("index")
        + (Boolean.TRUE.equals(b.get("meetsBudget")) ? "" : " (misses the budget)") : "";
    if (phase.equals("sensitivity")) {
      if (!step.equals("[tune] sensitivity")) {
        step = "[tune] sensitivity";
        lastPercent = -1;
      }
      progress(((Number) d.get("percent")).doubleValue(), String.valueOf(d.getOrDefault("detail", "")));
      return;
    }
    finishBar();
    step = "[tune] " + phase;
    line(step + " " + d.getOrDefault("detail", "") + best);
  }

  /** @return a retraining step's progress, e.g. {@code epoch 2/3 loss 0.0412 held-out 0.9871} */
  private static String epoch(Map<String, Object> d) {
    StringBuilder b = new StringBuilder("epoch " + d.get("epoch") + "/" + d.get("epochs"));
    if (d.get("loss") instanceof Number loss) {
      b.append(String.format(Locale.ROOT, " loss %.4g", loss.doubleValue()));
    }
    if (d.get("heldOutFidelity") instanceof Number f) {
      b.append(String.format(Locale.ROOT, " held-out %.4f", f.doubleValue()));
    }
    return b.toString();
  }

  /** @return the combinations some operator got, e.g. {@code {2of4+int8=36, none=0}} without the zeros */
  private static String nonZero(Object combinations) {
    if (!(combinations instanceof Map<?, ?> m)) {
      return String.valueOf(combinations);
    }
    Map<Object, Object> out = new LinkedHashMap<>();
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
