package io.compactor.core.config;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Suggests the names closest to one that was not found: names containing it come first, then by edit
 * distance, ignoring case. Stateless.
 */
public final class ClosestNames {
  private ClosestNames() {}

  /**
   * @param wrong the name that was not found
   * @param candidates the valid names
   * @param max how many to return at most
   * @return up to {@code max} candidates, closest first; ties keep the candidates' order
   */
  public static List<String> of(String wrong, Collection<String> candidates, int max) {
    Objects.requireNonNull(wrong, "wrong");
    String w = wrong.toLowerCase(Locale.ROOT);
    record Scored(String name, boolean contains, int distance) {}
    return candidates.stream().distinct()
        .map(c -> {
          String lc = c.toLowerCase(Locale.ROOT);
          return new Scored(c, !w.isEmpty() && lc.contains(w), distance(w, lc));
        })
        .sorted(Comparator.comparing((Scored s) -> !s.contains()).thenComparingInt(Scored::distance))
        .limit(max).map(Scored::name).toList();
  }

  /**
   * @return the closest candidate if it is near enough to be a likely typo (distance at most a third of
   *     the name, and at least 2), else empty
   */
  public static Optional<String> typo(String wrong, Collection<String> candidates) {
    List<String> best = of(wrong, candidates, 1);
    if (best.isEmpty()) {
      return Optional.empty();
    }
    int d = distance(wrong.toLowerCase(Locale.ROOT), best.get(0).toLowerCase(Locale.ROOT));
    return d <= Math.max(2, wrong.length() / 3) ? Optional.of(best.get(0)) : Optional.empty();
  }

  /** @return the Levenshtein distance between {@code a} and {@code b} */
  static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
