package io.compactor.benchmarks;

import java.io.IOException;
import java.io.InputStream;
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
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * Real English prose from the documentation Debian packages ship ({@code /usr/share/doc/<package>/README*},
 * {@code *.md}, {@code *.txt}, plain or gzipped): paragraphs split into sentences, kept when they read as
 * prose (6 to 20 words, at most 4 per file, starting with a capital, ending with a full stop, no paths, options, URLs or code).
 * Files are visited in path order and sentences in file order, so a machine gives the same list every time.
 */
public final class DocSentences {
  private static final Pattern SENTENCE_END = Pattern.compile("(?<=[.!?])\\s+(?=[A-Z])");
  private static final Pattern PROSE = Pattern.compile("[A-Z][A-Za-z0-9 ,;:'()\\-]*[a-z)][.]");
  private static final Pattern NOT_PROSE = Pattern.compile("(http|www\\.|--|::|\\.\\w+\\(|\\be\\.g\\b|\\bi\\.e\\b)");

  /** At most this many sentences from one file, so many packages' documentation is sampled. */
  private static final int PER_FILE = 4;

  private DocSentences() {}

  /**
   * @param root a documentation root, e.g. {@code /usr/share/doc}
   * @param n how many sentences
   * @param exclude sentences that must not appear (the evaluation text), compared case-insensitively
   * @return up to {@code n} distinct sentences
   */
  public static List<String> read(Path root, int n, Collection<String> exclude) {
    Set<String> excluded = new LinkedHashSet<>();
    exclude.forEach(s -> excluded.add(s.toLowerCase(Locale.ROOT).trim()));
    Set<String> out = new LinkedHashSet<>();
    List<Path> files;
    try (Stream<Path> walk = Files.walk(root, 3)) {
      files = walk.filter(Files::isRegularFile).filter(DocSentences::isProseFile).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + root, e);
    }
    for (Path f : files) {
      int fromFile = 0;
      for (String s : sentences(text(f))) {
        if (out.size() >= n) {
          return new ArrayList<>(out);
        }
        if (fromFile < PER_FILE && !excluded.contains(s.toLowerCase(Locale.ROOT)) && out.add(s)) {
          fromFile++;
        }
      }
    }
    return new ArrayList<>(out);
  }

  private static boolean isProseFile(Path p) {
    String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
    String base = name.endsWith(".gz") ? name.substring(0, name.length() - 3) : name;
    return base.startsWith("readme") || base.endsWith(".md") || base.endsWith(".txt");
  }

  private static String text(Path f) {
    try (InputStream raw = Files.newInputStream(f);
        InputStream in = f.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw) {
      return new String(in.readNBytes(1 << 20), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";  // an unreadable file is not prose
    }
  }

  /** Paragraphs (blank-line separated, indented or bulleted lines dropped) split into prose sentences. */
  static List<String> sentences(String text) {
    List<String> out = new ArrayList<>();
    for (String paragraph : text.split("\\n\\s*\\n")) {
      StringBuilder joined = new StringBuilder();
      for (String line : paragraph.split("\\n")) {
        if (line.startsWith(" ") || line.startsWith("\t") || line.startsWith("*") || line.startsWith("-")
            || line.startsWith("#") || line.startsWith(">") || line.startsWith("|")) {
          joined.setLength(0);
          break;
        }
        joined.append(line.trim()).append(' ');
      }
      for (String s : SENTENCE_END.split(joined.toString().trim())) {
        String t = s.trim();
        int words = t.isEmpty() ? 0 : t.split("\\s+").length;
        if (words >= 6 && words <= 20 && PROSE.matcher(t).matches() && !NOT_PROSE.matcher(t).find()) {
          out.add(t);
        }
      }
    }
    return out;
  }
}
