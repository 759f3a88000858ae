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
import java.util.regex.Pattern;

/**
 * Everyday English from the fortune-cookie collections of the Debian package {@code fortunes} (sayings, quotes
 * and jokes, e.g. "Love is like the measles; we all have to go through it."): a second source of text of the
 * MiniLM evaluation's kind beside {@link WordNetSentences}. Only the collections of ordinary prose are read (no
 * verse, art, code, definitions or the offensive directory); a record's attribution lines ("-- Author") are
 * dropped, its lines joined and split after sentence marks. Kept: a sentence of 6 to 20 words that starts with a
 * capital, ends with a mark and holds only letters, spaces and simple punctuation.
 */
public final class FortuneSentences {
  /** The collections of ordinary prose, in this order on every machine. */
  static final List<String> FILES = List.of("cookie", "education", "family", "food", "fortunes", "goedel",
      "humorists", "kids", "law", "literature", "love", "magic", "medicine", "miscellaneous", "news", "people",
      "pets", "platitudes", "politics", "science", "sports", "wisdom", "work");
  private static final Pattern SENTENCE_END = Pattern.compile("(?<=[.!?])\\s+");
  private static final Pattern PLAIN = Pattern.compile("[A-Z][A-Za-z ,;'\\-]+[.!?]");

  private FortuneSentences() {}

  /**
   * @param dir the collections' directory, e.g. {@code /usr/share/games/fortunes}
   * @param exclude sentences that must not appear (calibration and evaluation text), compared case-insensitively
   * @return every qualifying sentence once, in collection and file order
   */
  public static List<String> read(Path dir, Collection<String> exclude) {
    Set<String> excluded = new LinkedHashSet<>();
    exclude.forEach(s -> excluded.add(s.toLowerCase(Locale.ROOT).trim()));
    Set<String> seen = new LinkedHashSet<>();
    List<String> out = new ArrayList<>();
    for (String file : FILES) {
      Path f = dir.resolve(file);
      if (!Files.exists(f)) {
        continue; // collections differ between versions of the package
      }
      String text;
      try {
        text = Files.readString(f, StandardCharsets.ISO_8859_1);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + f + " (apt-get install fortunes)", e);
      }
      for (String record : text.split("\n%\n")) {
        for (String s : sentences(record)) {
          String key = s.toLowerCase(Locale.ROOT);
          if (!excluded.contains(key) && seen.add(key)) {
            out.add(s);
          }
        }
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no fortune sentences under " + dir + " (apt-get install fortunes)");
    }
    return out;
  }

  /** @return the qualifying sentences of one record */
  static List<String> sentences(String record) {
    StringBuilder joined = new StringBuilder();
    for (String line : record.split("\n")) {
      String t = line.trim();
      if (!t.startsWith("--") && !line.startsWith("\t\t")) {
        joined.append(joined.length() == 0 ? "" : " ").append(t);
      }
    }
    List<String> out = new ArrayList<>();
    for (String s : SENTENCE_END.split(joined.toString().trim())) {
      int words = s.isBlank() ? 0 : s.trim().split("\\s+").length;
      if (words >= 6 && words <= 20 && PLAIN.matcher(s).matches()) {
        out.add(s);
      }
    }
    return out;
  }
}
