package io.compactor.core.platform;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Metric names as a Grafana dashboard's PromQL queries them and as {@code /metrics} exports them, so a test
 * can hold the one against the other. A query names series as the exposition writes them, suffixes included
 * ({@code _bucket}, {@code _count}, {@code _sum}, {@code _total}), so both sides compare as series names: a
 * {@code _bucket} only matches where the exposition has a histogram.
 */
final class MetricNames {
  private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
  private static final Pattern GRAFANA_VARIABLE = Pattern.compile("\\$\\{[^}]*}|\\$\\w+");
  private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
  private static final Pattern RANGE = Pattern.compile("\\[[^]]*]");
  private static final Pattern LABEL_LIST =
      Pattern.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
  private static final Pattern OFFSET = Pattern.compile("\\boffset\\s+-?\\w+|@\\s*\\S+");
  private static final Pattern NUMBER = Pattern.compile("(?<![\\w:])(?:0x[0-9a-fA-F]+|\\d+(?:\\.\\d*)?(?:[eE][+-]?\\d+)?)");
  private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "by", "without", "on",
      "ignoring", "group_left", "group_right", "offset", "inf", "nan");
  private static final Pattern LABEL_VALUES = Pattern.compile("^\\s*label_values\\s*\\((.*),\\s*\\w+\\s*\\)\\s*$");

  private MetricNames() {}

  /**
   * @param expr a PromQL expression, possibly with Grafana variables such as {@code $__rate_interval}
   * @return the metric names it selects: identifiers that are not functions, aggregations, keywords, label
   *     names or label values
   */
  static Set<String> inQuery(String expr) {
    String s = STRING.matcher(expr).replaceAll(" ");
    s = GRAFANA_VARIABLE.matcher(s).replaceAll(" ");
    s = MATCHERS.matcher(s).replaceAll(" ");
    s = RANGE.matcher(s).replaceAll(" ");
    s = LABEL_LIST.matcher(s).replaceAll(" ");
    s = OFFSET.matcher(s).replaceAll(" ");
    s = NUMBER.matcher(s).replaceAll(" ");
    Set<String> names = new TreeSet<>();
    Matcher m = IDENTIFIER.matcher(s);
    while (m.find()) {
      String word = m.group();
      boolean call = s.substring(m.end()).stripLeading().startsWith("(");
      if (!call && !KEYWORDS.contains(word.toLowerCase(Locale.ROOT))) {
        names.add(word);
      }
    }
    return names;
  }

  /**
   * @param dashboard a Grafana dashboard JSON file
   * @return every query in it: the {@code expr} of each panel's targets (rows and nested panels included)
   *     and the metric selector of each {@code label_values(…)} template variable
   * @throws IOException when the file cannot be read or parsed
   */
  static List<String> queries(Path dashboard) throws IOException {
    JsonNode root = new ObjectMapper().readTree(dashboard.toFile());
    List<String> out = new ArrayList<>();
    collectExpressions(root, out);
    for (JsonNode variable : root.path("templating").path("list")) {
      JsonNode q = variable.path("query");
      String text = q.isObject() ? q.path("query").asText("") : q.asText("");
      Matcher m = LABEL_VALUES.matcher(text);
      if (m.matches()) {
        out.add(m.group(1));
      }
    }
    return out;
  }

  private static void collectExpressions(JsonNode node, List<String> out) {
    if (node.isObject()) {
      node.fields().forEachRemaining(e -> {
        if (e.getKey().equals("expr") && e.getValue().isTextual()) {
          out.add(e.getValue().asText());
        } else {
          collectExpressions(e.getValue(), out);
        }
      });
    } else if (node.isArray()) {
      node.forEach(child -> collectExpressions(child, out));
    }
  }

  /**
   * @param dashboard a Grafana dashboard JSON file
   * @return the metric names all its queries select
   * @throws IOException when the file cannot be read or parsed
   */
  static Set<String> inDashboard(Path dashboard) throws IOException {
    Set<String> names = new TreeSet<>();
    for (String q : queries(dashboard)) {
      names.addAll(inQuery(q));
    }
    return names;
  }

  /**
   * @param exposition Prometheus text format, as served on {@code /metrics}
   * @return the name of every sample in it, e.g. {@code compactor_step_duration_seconds_bucket}
   */
  static Set<String> inExposition(String exposition) {
    Set<String> names = new TreeSet<>();
    for (String line : exposition.split("\n")) {
      if (!line.isBlank() && !line.startsWith("#")) {
        Matcher m = IDENTIFIER.matcher(line);
        if (m.lookingAt()) {
          names.add(m.group());
        }
      }
    }
    return names;
  }
}
