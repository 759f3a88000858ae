package io.compactor.core.health;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The answer of {@code /health/live} or {@code /health/ready}: UP when every check passed, with each check's
 * outcome so a DOWN names what failed.
 *
 * @param checks the checks, in a fixed order
 * @param info facts about the instance shown alongside (instance id, running jobs), not checked
 */
public record HealthReport(List<Check> checks, Map<String, Object> info) {
  public HealthReport {
    checks = List.copyOf(checks);
    info = Map.copyOf(info);
  }

  /** @return whether every check passed */
  public boolean up() {
    return checks.stream().allMatch(Check::up);
  }

  /**
   * @return {@code {"status": "UP"|"DOWN", "failed": [names], "checks": {name: {"status", "detail"}}, ...info}}
   */
  public Map<String, Object> document() {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("status", up() ? "UP" : "DOWN");
    doc.put("failed", checks.stream().filter(c -> !c.up()).map(Check::name).toList());
    Map<String, Object> byName = new LinkedHashMap<>();
    checks.forEach(c -> byName.put(c.name(), Map.of("status", c.up() ? "UP" : "DOWN", "detail", c.detail())));
    doc.put("checks", byName);
    new java.util.TreeMap<>(info).forEach(doc::putIfAbsent);
    return doc;
  }
}
