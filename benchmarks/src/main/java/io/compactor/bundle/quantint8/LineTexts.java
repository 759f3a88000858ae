package io.compactor.bundle.quantint8;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The strings of text lines a detector would crop from documents: runs of one to five words taken from real
 * sentences, and one line in four a number-bearing field (dates, amounts, phone numbers, codes). Deterministic
 * for a seed.
 */
final class LineTexts {
  private static final String[] LABELS = {"Total", "Invoice No.", "Tel", "Date", "Order", "Room", "Amount due",
      "Ref", "Page", "Qty", "Flight", "Account"};
  private static final String[] CURRENCIES = {"EUR", "USD", "GBP", "CHF"};

  private LineTexts() {}

  /** @return {@code n} line strings drawn from {@code sentences} */
  static List<String> sample(List<String> sentences, int n, long seed) {
    Random r = new Random(seed);
    List<String> lines = new ArrayList<>(n);
    while (lines.size() < n) {
      lines.add(r.nextInt(4) == 0 ? numberField(r) : words(sentences.get(r.nextInt(sentences.size())), r));
    }
    return lines;
  }

  private static String words(String sentence, Random r) {
    String[] w = sentence.split(" ");
    int count = Math.min(w.length, 1 + r.nextInt(5));
    int start = r.nextInt(w.length - count + 1);
    String line = String.join(" ", Arrays.copyOfRange(w, start, start + count));
    // a single short word ("a", "of") is not a line a detector reports
    return line.length() < 3 ? sentence.substring(0, Math.min(sentence.length(), 12)).trim() : line;
  }

  private static String numberField(Random r) {
    String label = LABELS[r.nextInt(LABELS.length)];
    return switch (r.nextInt(5)) {
      case 0 -> String.format(Locale.ROOT, "%s: %,d.%02d %s", label, r.nextInt(20000), r.nextInt(100),
          CURRENCIES[r.nextInt(CURRENCIES.length)]);
      case 1 -> String.format(Locale.ROOT, "%02d/%02d/%d %02d:%02d", 1 + r.nextInt(28), 1 + r.nextInt(12),
          1990 + r.nextInt(40), r.nextInt(24), r.nextInt(60));
      case 2 -> String.format(Locale.ROOT, "+%d %d %04d %04d", 1 + r.nextInt(98), 10 + r.nextInt(90),
          r.nextInt(10000), r.nextInt(10000));
      case 3 -> String.format(Locale.ROOT, "%s %c%c-%05d", label, (char) ('A' + r.nextInt(26)),
          (char) ('A' + r.nextInt(26)), r.nextInt(100000));
      default -> String.format(Locale.ROOT, "%d", r.nextInt(1_000_000));
    };
  }
}
