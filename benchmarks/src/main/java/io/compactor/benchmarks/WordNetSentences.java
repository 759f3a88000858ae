package io.compactor.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Everyday English from WordNet's usage examples (Debian package {@code wordnet-base}: the double-quoted strings
 * in the glosses of {@code /usr/share/wordnet/data.noun}, {@code .verb}, {@code .adj}, {@code .adv}, e.g. "She
 * choked with emotion when she spoke about her deceased husband"): text of the kind the MiniLM evaluation
 * sentences are, which documentation prose is not. Kept when a quote reads as a sentence (starts with a capital,
 * 6 to 20 words); a full stop is added where it has no closing mark, as the evaluation sentences have one.
 */
public final class WordNetSentences {
  private static final List<String> FILES = List.of("data.noun", "data.verb", "data.adj", "data.adv");
  private static final Pattern QUOTE = Pattern.compile("\"([^\"]+)\"");

  private WordNetSentences() {}

  /**
   * @param dir WordNet's data directory, e.g. {@code /usr/share/wordnet}
   * @param n how many sentences
   * @param exclude sentences that must not appear (calibration and evaluation text), compared case-insensitively
   * @return up to {@code n} distinct sentences spread evenly over all that qualify (nouns, verbs, adjectives,
   *     adverbs in file order), so the selection samples every part of speech, the same on every machine
   */
  public static List<String> read(Path dir, int n, Collection<String> exclude) {
    List<String> lines = new ArrayList<>();
    for (String file : FILES) {
      try {
        lines.addAll(Files.readAllLines(dir.resolve(file), StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + dir.resolve(file) + " (apt-get install wordnet-base)", e);
      }
    }
    return spread(sentences(lines, exclude), n);
  }

  /** The qualifying quotes of WordNet data lines, distinct, in line order; the license header is skipped. */
  static List<String> sentences(List<String> lines, Collection<String> exclude) {
    Set<String> excluded = new LinkedHashSet<>();
    exclude.forEach(s -> excluded.add(s.toLowerCase(Locale.ROOT).trim()));
    Set<String> seen = new LinkedHashSet<>();
    List<String> out = new ArrayList<>();
    for (String line : lines) {
      int gloss = line.indexOf(" | ");
      if (line.startsWith(" ") || gloss < 0) {
        continue;
      }
      Matcher m = QUOTE.matcher(line.substring(gloss));
      while (m.find()) {
        String s = sentence(m.group(1).trim());
        if (s != null && !excluded.contains(s.toLowerCase(Locale.ROOT)) && seen.add(s.toLowerCase(Locale.ROOT))) {
          out.add(s);
        }
      }
    }
    return out;
  }

  /** @return the quote as a sentence with a closing mark, or null when it is not one */
  static String sentence(String quote) {
    int words = quote.isEmpty() ? 0 : quote.split("\\s+").length;
    if (words < 6 || words > 20 || !Character.isUpperCase(quote.charAt(0))) {
      return null;
    }
    char last = quote.charAt(quote.length() - 1);
    return last == '.' || last == '!' || last == '?' ? quote : quote + ".";
  }

  /** @return {@code n} items at even intervals over {@code all} (all of them when there are not more) */
  static List<String> spread(List<String> all, int n) {
    if (n >= all.size()) {
      return all;
    }
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(all.get((int) ((long) i * all.size() / n)));
    }
    return out;
  }
}
