package io.compactor.core.logging;

/**
 * Escapes the characters that would let logged text break out of its line: ISO control characters
 * ({@code U+0000}-{@code U+001F}, {@code U+007F}-{@code U+009F}) and the Unicode line and paragraph
 * separators. A newline in a request path then stays {@code \n} on the same line and cannot forge a log line.
 */
public final class ControlCharacters {
  private ControlCharacters() {}

  /**
   * @param text any text, or null
   * @return {@code text} with {@code \n}, {@code \r}, {@code \t} written as those two characters and every
   *     other control character as {@code \}{@code uXXXX}; the same instance when there is nothing to escape
   */
  public static String escape(String text) {
    if (text == null || text.chars().noneMatch(ControlCharacters::needsEscape)) {
      return text;
    }
    StringBuilder sb = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (needsEscape(c)) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.toString();
  }

  private static boolean needsEscape(int c) {
    return Character.isISOControl(c) || c == '\u2028' || c == '\u2029';
  }
}
