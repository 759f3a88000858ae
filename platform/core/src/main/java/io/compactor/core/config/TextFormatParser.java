package io.compactor.core.config;

import io.compactor.core.config.ConfigTree.Field;
import io.compactor.core.config.ConfigTree.Kind;
import io.compactor.core.config.ConfigTree.ListValue;
import io.compactor.core.config.ConfigTree.Message;
import io.compactor.core.config.ConfigTree.Scalar;
import io.compactor.core.config.ConfigTree.SyntaxError;
import io.compactor.core.config.ConfigTree.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads protobuf text format, as AMCT's {@code .cfg} files use it, into a {@link ConfigTree}: fields
 * {@code name: value} and messages {@code name { ... }} (the colon before {@code {} is optional, and
 * {@code < ... >} works like braces), repeated fields written several times or as {@code name: [a, b]},
 * strings in double or single quotes with C escapes (adjacent strings are joined), numbers (an
 * {@code f} suffix is allowed), bare identifiers (enum values, {@code true}, {@code false}), {@code #}
 * comments and optional {@code ,} or {@code ;} after a field. Meaning is given later by
 * {@link ConfigBinder}.
 */
final class TextFormatParser {
  private static final Pattern NUMBER =
      Pattern.compile("[-+]?(0[xX][0-9a-fA-F]+|(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?[fF]?)");
  private static final Pattern WORD = Pattern.compile("-?[A-Za-z_][A-Za-z0-9_]*");

  private enum Type { IDENTIFIER, NUMBER, STRING, SYMBOL, END }

  private record Token(Type type, String text, int line, int column) {
    String display() {
      return switch (type) {
        case END -> "the end of the file";
        case STRING -> new Scalar(Kind.STRING, text).display();
        default -> "'" + text + "'";
      };
    }

    boolean is(String symbol) {
      return type == Type.SYMBOL && text.equals(symbol);
    }
  }

  private final String text;
  private int pos;
  private int line = 1;
  private int column = 1;
  private Token next;

  private TextFormatParser(String text) {
    this.text = text;
    this.next = lex();
  }

  /**
   * @param text the file contents
   * @return the top-level message
   * @throws SyntaxError at the first place the text is not valid text format
   */
  static Message parse(String text) {
    TextFormatParser p = new TextFormatParser(text);
    return p.message(null, null);
  }

  private Token take() {
    Token t = next;
    next = lex();
    return t;
  }

  /** Reads fields until {@code close} (or the end of the file for the top level). */
  private Message message(String close, Token open) {
    List<Field> fields = new ArrayList<>();
    while (true) {
      Token t = next;
      if (close != null && t.is(close)) {
        take();
        return new Message(fields);
      }
      if (t.type() == Type.END) {
        if (close == null) {
          return new Message(fields);
        }
        throw new SyntaxError(t.line(), t.column(), "missing '" + close + "' to close the message opened at line "
            + open.line() + ", column " + open.column(), t.display(), "add '" + close + "'");
      }
      if (t.type() != Type.IDENTIFIER || t.text().startsWith("-")) {
        throw new SyntaxError(t.line(), t.column(), "expected a field name", t.display(),
            close == null ? "start each entry with a field name such as prune_config"
                : "start each entry with a field name, or close the message with '" + close + "'");
      }
      take();
      fields.add(new Field(t.text(), fieldValue(t)));
      if (next.is(",") || next.is(";")) {
        take();
      }
    }
  }

  private Value fieldValue(Token name) {
    Token t = next;
    if (t.is("{") || t.is("<")) {
      return nested(take());
    }
    if (!t.is(":")) {
      throw new SyntaxError(t.line(), t.column(), "expected ':' or '{' after the field name " + name.text(),
          t.display(), "write " + name.text() + ": <value> or " + name.text() + " { ... }");
    }
    take();
    if (next.is("[")) {
      return list(take());
    }
    return value(name.text());
  }

  private Message nested(Token open) {
    return message(open.text().equals("{") ? "}" : ">", open);
  }

  private ListValue list(Token open) {
    List<Value> elements = new ArrayList<>();
    if (next.is("]")) {
      take();
      return new ListValue(elements);
    }
    while (true) {
      elements.add(value("list element"));
      Token t = take();
      if (t.is("]")) {
        return new ListValue(elements);
      }
      if (!t.is(",")) {
        throw new SyntaxError(t.line(), t.column(), "expected ',' or ']' in the list opened at line "
            + open.line() + ", column " + open.column(), t.display(), "separate list elements with ','");
      }
    }
  }

  private Value value(String what) {
    Token t = next;
    if (t.is("{") || t.is("<")) {
      return nested(take());
    }
    switch (t.type()) {
      case STRING -> {
        StringBuilder joined = new StringBuilder(take().text());
        while (next.type() == Type.STRING) {
          joined.append(take().text());
        }
        return new Scalar(Kind.STRING, joined.toString());
      }
      case NUMBER -> {
        return new Scalar(Kind.NUMBER, take().text());
      }
      case IDENTIFIER -> {
        return new Scalar(Kind.IDENTIFIER, take().text());
      }
      default -> throw new SyntaxError(t.line(), t.column(), "expected a value for " + what, t.display(),
          "give a number, a quoted string, an enum name, true/false, or { ... }");
    }
  }

  private Token lex() {
    skipSpaceAndComments();
    int l = line;
    int c = column;
    if (pos >= text.length()) {
      return new Token(Type.END, "", l, c);
    }
    char ch = text.charAt(pos);
    if (ch == '"' || ch == '\'') {
      return new Token(Type.STRING, string(ch, l, c), l, c);
    }
    if ("{}[]<>:,;".indexOf(ch) >= 0) {
      advance();
      return new Token(Type.SYMBOL, String.valueOf(ch), l, c);
    }
    if (Character.isLetterOrDigit(ch) || ch == '_' || ch == '.' || ch == '-' || ch == '+') {
      StringBuilder b = new StringBuilder();
      b.append(advance());
      while (pos < text.length()) {
        char d = text.charAt(pos);
        char prev = b.charAt(b.length() - 1);
        boolean exponentSign = (d == '-' || d == '+') && (prev == 'e' || prev == 'E')
            && NUMBER.matcher(b.toString() + "0").matches();
        if (!(Character.isLetterOrDigit(d) || d == '_' || d == '.' || exponentSign)) {
          break;
        }
        b.append(advance());
      }
      String word = b.toString();
      if (NUMBER.matcher(word).matches()) {
        return new Token(Type.NUMBER, word, l, c);
      }
      if (WORD.matcher(word).matches()) {
        return new Token(Type.IDENTIFIER, word, l, c);
      }
      throw new SyntaxError(l, c, "not a number, name or value", "'" + word + "'",
          "check for a typo; numbers look like 0.3, -6.0 or 1e-3");
    }
    throw new SyntaxError(l, c, "unexpected character", "'" + ch + "'",
        "the text format has fields (name: value), messages (name { ... }) and # comments");
  }

  private void skipSpaceAndComments() {
    while (pos < text.length()) {
      char ch = text.charAt(pos);
      if (ch == '#') {
        while (pos < text.length() && text.charAt(pos) != '\n') {
          advance();
        }
      } else if (Character.isWhitespace(ch)) {
        advance();
      } else {
        return;
      }
    }
  }

  private char advance() {
    char ch = text.charAt(pos++);
    if (ch == '\n') {
      line++;
      column = 1;
    } else {
      column++;
    }
    return ch;
  }

  private String string(char quote, int l, int c) {
    advance();
    StringBuilder b = new StringBuilder();
    while (true) {
      if (pos >= text.length() || text.charAt(pos) == '\n') {
        throw new SyntaxError(l, c, "unterminated string", "a line break or the end of the file",
            "close the string with " + quote);
      }
      char ch = advance();
      if (ch == quote) {
        return b.toString();
      }
      if (ch != '\\') {
        b.append(ch);
        continue;
      }
      if (pos >= text.length()) {
        continue;
      }
      char e = advance();
      switch (e) {
        case 'n' -> b.append('\n');
        case 't' -> b.append('\t');
        case 'r' -> b.append('\r');
        case 'a' -> b.append('\u0007');
        case 'b' -> b.append('\b');
        case 'f' -> b.append('\f');
        case 'v' -> b.append('\u000B');
        case 'x' -> b.append((char) Integer.parseInt(digits(16, 2, l, c), 16));
        case 'u' -> b.append((char) Integer.parseInt(digits(16, 4, l, c), 16));
        case '\\', '\'', '"', '?' -> b.append(e);
        default -> {
          if (e >= '0' && e <= '7') {
            pos--;
            column--;
            b.append((char) Integer.parseInt(digits(8, 3, l, c), 8));
          } else {
            throw new SyntaxError(line, column - 2, "unknown escape in a string", "'\\" + e + "'",
                "write a backslash as \\\\");
          }
        }
      }
    }
  }

  private String digits(int radix, int max, int l, int c) {
    StringBuilder d = new StringBuilder();
    while (d.length() < max && pos < text.length() && Character.digit(text.charAt(pos), radix) >= 0) {
      d.append(advance());
    }
    if (d.length() == 0) {
      throw new SyntaxError(l, c, "an escape in this string has no digits", "'" + text.charAt(pos - 1) + "'",
          "write the character code after the backslash");
    }
    return d.toString();
  }
}
