package io.compactor.core.tune;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/** The two pictures of a tune as SVG text: no browser, no library, readable in any viewer and on GitHub. */
final class Charts {
  private static final String FONT = "font-family=\"sans-serif\" font-size=\"11\"";

  private Charts() {}

  /**
   * A heat map: one row per operator (costliest first), one column per candidate, the cost (1 − mean cosine on
   * the eval data, log colour scale) in each cell; below it, when the search measured them, one row per
   * activation static INT8 quantizes (its cost quantized alone), those kept float marked.
   */
  static String sensitivity(List<Sensitivity.Entry> table, List<Sensitivity.Activation> activations,
      List<String> keptFloat) {
    List<String> rows = new ArrayList<>();
    List<String> columns = new ArrayList<>();
    Map<String, Sensitivity.Entry> cell = new LinkedHashMap<>();
    for (Sensitivity.Entry e : table) {
      String row = e.nodes().get(0);
      if (!rows.contains(row)) {
        rows.add(row);
      }
      String c = e.choice().label().replace(" static", "");
      if (!columns.contains(c)) {
        columns.add(c);
      }
      cell.put(row + "\u0000" + c, e);
    }
    columns.sort((a, b) -> Integer.compare(columnOrder(a), columnOrder(b)) != 0
        ? Integer.compare(columnOrder(a), columnOrder(b)) : a.compareTo(b));
    List<String> tensors = activations.stream().map(a -> a.tensor() + " (" + a.target().role() + ")").toList();
    int label = 12 + 7 * Stream.concat(rows.stream(), tensors.stream()).mapToInt(String::length).max().orElse(4);
    int cw = 86;
    int ch = 22;
    int width = label + cw * Math.max(columns.size(), 2) + 20;
    int section = activations.isEmpty() ? 0 : 40 + ch * activations.size();
    int height = 70 + ch * rows.size() + section + 40;
    StringBuilder s = header(width, height);
    text(s, 10, 20, "Sensitivity: cost of each candidate on one operator alone (1 − mean cosine, eval data)", "bold");
    for (int j = 0; j < columns.size(); j++) {
      text(s, label + cw * j + cw / 2, 52, columns.get(j), "middle");
    }
    for (int i = 0; i < rows.size(); i++) {
      int y = 60 + ch * i;
      text(s, label - 6, y + 15, rows.get(i), "end");
      for (int j = 0; j < columns.size(); j++) {
        Sensitivity.Entry e = cell.get(rows.get(i) + "\u0000" + columns.get(j));
        int x = label + cw * j;
        if (e == null) {
          s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#eeeeee\"/>%n",
              x, y, cw - 2, ch - 2));
          continue;
        }
        cost(s, x, y, cw, ch, e.cost(), e.node() + " " + e.choice().label());
      }
    }
    int top = 60 + ch * rows.size() + 10;
    if (!activations.isEmpty()) {
      text(s, 10, top + 14, "Static INT8 activations, each quantized alone (float-fallback candidates)", "bold");
      for (int i = 0; i < activations.size(); i++) {
        Sensitivity.Activation a = activations.get(i);
        int y = top + 24 + ch * i;
        text(s, label - 6, y + 15, tensors.get(i), "end");
        cost(s, label, y, cw, ch, a.cost(), a.tensor() + " int8 static");
        if (keptFloat.contains(a.tensor())) {
          text(s, label + cw + 6, y + 15, "kept float", "bold");
        }
      }
    }
    text(s, 10, height - 12, "grey: not possible for this operator; colour: log scale from 1e-7 (light) to 1 (dark)",
        "");
    return s.append("</svg>\n").toString();
  }

  /** One heat-map cell: colour on the log scale, the value written in it. */
  private static void cost(StringBuilder s, int x, int y, int cw, int ch, double cost, String title) {
    double t = Math.max(0, Math.min(1, (Math.log10(Math.max(cost, 1e-7)) + 7) / 7));
    s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\">"
        + "<title>%s: cost %.2e</title></rect>%n", x, y, cw - 2, ch - 2, heat(t), escape(title), cost));
    text(s, x + cw / 2, y + 15, String.format(Locale.ROOT, "%.1e", cost), t > 0.6 ? "middle white" : "middle");
  }

  /**
   * Size (or latency) against quality for every verified candidate, the uncompressed model, the budget as a line,
   * the chosen candidate ringed.
   */
  static String tradeoff(List<Verified> verified, Verified baseline, Budget budget, Objective objective,
      Optional<Verified> chosen) {
    List<Verified> all = new ArrayList<>(verified.stream().filter(v -> v.failure().isEmpty()).toList());
    all.add(0, baseline);
    boolean points = budget.kind() == Budget.Kind.MAX_DROP;
    boolean latency = objective == Objective.LATENCY;
    double[] xs = all.stream().mapToDouble(v -> x(v, points)).toArray();
    double[] ys = all.stream().mapToDouble(v -> latency ? v.latencyMs() : v.deployBytes() / 1024.0).toArray();
    double budgetX = points ? budget.value() : 1 - budget.value();
    double xMax = Math.max(budgetX, max(xs)) * 1.15 + 1e-9;
    double xMin = Math.min(0, min(xs));
    double highest = all.stream().flatMap(v -> v.confirmedLatency().stream())
        .mapToDouble(e -> baseline.latencyMs() * e.high()).max().orElse(0);
    double yMax = Math.max(max(ys), latency ? highest : 0) * 1.1 + 1e-9;
    int w = 640;
    int h = 400;
    int left = 70;
    int bottom = 340;
    int top = 40;
    int right = 620;
    StringBuilder s = header(w, h);
    text(s, 10, 20, "Trade-off: every candidate verified end to end (ringed: chosen)", "bold");
    s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n", left,
        bottom, right, bottom));
    s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n", left,
        top, left, bottom));
    text(s, (left + right) / 2, 375, points ? "top-1 drop (points)" : "1 − mean cosine", "middle");
    text(s, 14, (top + bottom) / 2, latency ? "latency (ms)" : "deploy file (kB)", "");
    for (int k = 0; k <= 4; k++) {
      double xv = xMin + (xMax - xMin) * k / 4;
      double yv = yMax * k / 4;
      text(s, px(xv, xMin, xMax, left, right), bottom + 14, fmt(xv), "middle");
      text(s, left - 6, py(yv, yMax, top, bottom) + 4, fmt(yv), "end");
    }
    int bx = px(budgetX, xMin, xMax, left, right);
    s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#c0392b\" "
        + "stroke-dasharray=\"5,4\"/>%n", bx, top, bx, bottom));
    text(s, bx + 4, top + 12, "budget: " + budget.describe(), "red");
    for (int i = 0; i < all.size(); i++) {
      Verified v = all.get(i);
      int cx = px(xs[i], xMin, xMax, left, right);
      int cy = py(ys[i], yMax, top, bottom);
      String fill = v.index() == 0 ? "#7f8c8d" : budget.met(v.quality()) ? "#2e86c1" : "#e67e22";
      if (latency && v.confirmedLatency().isPresent()) {
        // the confirmed interval on the original's scale: where the candidate's time lies, not one reading
        LatencyEstimate e = v.confirmedLatency().get();
        double scale = baseline.latencyMs();
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
            + "stroke-width=\"2\"/>%n", cx, py(scale * e.low(), yMax, top, bottom), cx,
            py(scale * e.high(), yMax, top, bottom), fill));
      }
      s.append(String.format(Locale.ROOT, "<circle cx=\"%d\" cy=\"%d\" r=\"5\" fill=\"%s\"><title>%s</title>"
          + "</circle>%n", cx, cy, fill, escape(v.index() == 0 ? "original" : "candidate " + v.index() + ": "
          + v.candidate().describe() + v.confirmedLatency().map(e -> ", confirmed " + e.describe()).orElse(""))));
      text(s, cx + 7, cy - 6, v.index() == 0 ? "original" : "#" + v.index(), "");
      if (chosen.isPresent() && chosen.get().index() == v.index()) {
        s.append(String.format(Locale.ROOT, "<circle cx=\"%d\" cy=\"%d\" r=\"10\" fill=\"none\" stroke=\"black\" "
            + "stroke-width=\"2\"/>%n", cx, cy));
      }
    }
    text(s, left, 392, "blue: meets the budget · orange: misses it · grey: original" + (latency
        ? " · bar: confirmed " + Math.round(100 * LatencyEstimate.CONFIDENCE) + " % interval" : ""), "");
    return s.append("</svg>\n").toString();
  }

  private static double x(Verified v, boolean points) {
    return points ? v.quality().dropPoints().orElse(0.0) : 1 - v.quality().meanCosine();
  }

  private static int columnOrder(String label) {
    return label.startsWith("2:4") ? 0 : label.startsWith("filter") ? 1 : 2;
  }

  private static String heat(double t) {
    int r = (int) Math.round(255 - t * (255 - 128));
    int g = (int) Math.round(245 - t * 245);
    int b = (int) Math.round(230 - t * (230 - 38));
    return String.format(Locale.ROOT, "#%02x%02x%02x", r, g, b);
  }

  private static StringBuilder header(int width, int height) {
    return new StringBuilder(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
        + "height=\"%d\" viewBox=\"0 0 %d %d\">%n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n",
        width, height, width, height));
  }

  private static void text(StringBuilder s, int x, int y, String text, String style) {
    String anchor = style.contains("middle") ? " text-anchor=\"middle\"" : style.contains("end")
        ? " text-anchor=\"end\"" : "";
    String extra = (style.contains("bold") ? " font-weight=\"bold\"" : "")
        + (style.contains("white") ? " fill=\"white\"" : style.contains("red") ? " fill=\"#c0392b\"" : "");
    s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" %s%s%s>%s</text>%n", x, y, FONT, anchor, extra,
        escape(text)));
  }

  private static int px(double v, double min, double max, int left, int right) {
    return (int) Math.round(left + (v - min) / (max - min) * (right - left));
  }

  private static int py(double v, double max, int top, int bottom) {
    return (int) Math.round(bottom - v / max * (bottom - top));
  }

  private static String fmt(double v) {
    return Math.abs(v) >= 100 || v == 0 ? String.format(Locale.ROOT, "%.0f", v)
        : Math.abs(v) >= 0.1 ? String.format(Locale.ROOT, "%.2f", v) : String.format(Locale.ROOT, "%.1e", v);
  }

  private static double max(double[] v) {
    double m = 0;
    for (double d : v) {
      m = Math.max(m, d);
    }
    return m;
  }

  private static double min(double[] v) {
    double m = 0;
    for (double d : v) {
      m = Math.min(m, d);
    }
    return m;
  }

  static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
