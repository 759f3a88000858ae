package io.compactor.core.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps an event body within {@link JobLimits}: every string (and object key) longer than the string
 * limit is cut with a marker; a body still larger than the byte limit loses the tail of its bulkiest
 * array or object, step by step, and says so in {@code omitted} (e.g. {@code "plan: first 2500 of 10000
 * items"}). The full data stays in {@code report.json}; an event must never be too large to publish.
 */
final class EventBudget {
  /** Field of a trimmed body listing what was left out. */
  static final String OMITTED = "omitted";

  private EventBudget() {}

  /** @return {@code body}, bounded by the platform's limits, serialized */
  static byte[] fit(ObjectNode body) {
    return fit(body, JobLimits.MAX_EVENT_STRING_CHARS, JobLimits.MAX_EVENT_BYTES);
  }

  /**
   * @param body the event body; changed in place
   * @param maxChars the longest string kept whole
   * @param maxBytes the largest serialized body
   * @return the bounded body, serialized
   */
  static byte[] fit(ObjectNode body, int maxChars, int maxBytes) {
    cutStrings(body, maxChars);
    byte[] out = JobMessages.bytes(body);
    Map<String, Trim> omitted = new LinkedHashMap<>();
    while (out.length > maxBytes && shrinkTop(body, omitted)) {
      ArrayNode list = body.putArray(OMITTED);
      omitted.forEach((path, trim) -> list.add(trim.describe(path)));
      out = JobMessages.bytes(body);
    }
    return out;
  }

  private static void cutStrings(JsonNode node, int maxChars) {
    if (node instanceof ArrayNode a) {
      for (int i = 0; i < a.size(); i++) {
        if (a.get(i).isTextual()) {
          a.set(i, TextNode.valueOf(JobLimits.cut(a.get(i).asText(), maxChars)));
        } else {
          cutStrings(a.get(i), maxChars);
        }
      }
    } else if (node instanceof ObjectNode o) {
      List<String> names = new ArrayList<>();
      o.fieldNames().forEachRemaining(names::add);
      for (String name : names) {
        JsonNode v = o.get(name);
        String key = JobLimits.cut(name, maxChars);
        if (!key.equals(name)) {
          o.remove(name);
        }
        if (v.isTextual()) {
          o.put(key, JobLimits.cut(v.asText(), maxChars));
        } else {
          cutStrings(v, maxChars);
          o.set(key, v);
        }
      }
    }
  }

  /** Shrinks the largest top-level field (never {@code jobId}); false when nothing is left to shrink. */
  private static boolean shrinkTop(ObjectNode body, Map<String, Trim> omitted) {
    String largest = null;
    int size = -1;
    for (var it = body.fields(); it.hasNext(); ) {
      var e = it.next();
      if (e.getKey().equals("jobId") || e.getKey().equals(OMITTED)) {
        continue;
      }
      int s = size(e.getValue());
      if (s > size) {
        largest = e.getKey();
        size = s;
      }
    }
    if (largest == null) {
      return false;
    }
    shrinkChild(body, largest, largest, omitted);
    return true;
  }

  /** Shrinks {@code parent}'s child {@code key} (a field name or an index), whose path is {@code path}. */
  private static void shrinkChild(ContainerNode<?> parent, String key, String path, Map<String, Trim> omitted) {
    JsonNode child = parent instanceof ObjectNode o ? o.get(key) : parent.get(Integer.parseInt(key));
    if (!(child instanceof ContainerNode<?> c) || c.isEmpty()) {
      if (parent instanceof ObjectNode o) {
        o.remove(key);
      } else {
        ((ArrayNode) parent).remove(Integer.parseInt(key));
      }
      omitted.put(path, new Trim(1, 0));
      return;
    }
    // one child dominating: shrink inside it; many similar ones: keep the first half
    List<String> keys = new ArrayList<>();
    if (c instanceof ObjectNode o) {
      o.fieldNames().forEachRemaining(keys::add);
    } else {
      for (int i = 0; i < c.size(); i++) {
        keys.add(String.valueOf(i));
      }
    }
    String inner = null;
    int innerSize = -1;
    for (int i = 0; i < keys.size(); i++) {
      String k = keys.get(i);
      int s = size(c instanceof ObjectNode o ? o.get(k) : c.get(i));
      if (s > innerSize) {
        inner = k;
        innerSize = s;
      }
    }
    if (c.size() == 1 || innerSize * 2 >= size(c)) {
      shrinkChild(c, inner, path + (c instanceof ArrayNode ? "[" + inner + "]" : "." + inner), omitted);
      return;
    }
    int before = c.size();
    int keep = before / 2;
    if (c instanceof ArrayNode a) {
      while (a.size() > keep) {
        a.remove(a.size() - 1);
      }
    } else {
      ((ObjectNode) c).remove(keys.subList(keep, before));
    }
    omitted.merge(path, new Trim(before, keep), (old, now) -> new Trim(old.total, now.kept));
  }

  private static int size(JsonNode node) {
    return JobMessages.bytes(node).length;
  }

  /** How many entries a container had and how many it keeps; {@code kept == 0, total == 1}: removed. */
  private record Trim(int total, int kept) {
    String describe(String path) {
      return kept == 0 && total == 1 ? path + ": removed" : path + ": first " + kept + " of " + total + " entries";
    }
  }
}
