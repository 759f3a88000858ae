package io.compactor.core.config;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.TextFormat;
import com.google.protobuf.TextFormatParseInfoTree;
import io.compactor.core.config.proto.AmctRetrainConfigProto.AMCTRetrainConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads AMCT's protobuf text format with protobuf's own {@link TextFormat} parser, so a {@code .cfg} file
 * means exactly what it means to AMCT (escapes, octal and hex integers, {@code inf}, enum numbers), and
 * turns protobuf's errors into {@link Problem}s with the config path, line and column. A single field
 * given twice is an error, as in protobuf's strict parsing.
 */
final class TextConfigReader {
  private static final String UNKNOWN = "Input contains unknown fields and/or extensions:";
  private static final Pattern UNKNOWN_LINE = Pattern.compile("(\\d+):(\\d+):\\t(.*)\\.([^.]+)");
  private static final Pattern QUOTED_NAME = Pattern.compile("\"([^\"]+)\"");
  private static final Descriptor ROOT = AMCTRetrainConfig.getDescriptor();

  private TextConfigReader() {}

  static ParsedConfig read(String text) {
    AMCTRetrainConfig.Builder builder = AMCTRetrainConfig.newBuilder();
    TextFormatParseInfoTree.Builder tree = TextFormatParseInfoTree.builder();
    TextFormat.Parser parser = TextFormat.Parser.newBuilder()
        .setSingularOverwritePolicy(TextFormat.Parser.SingularOverwritePolicy.FORBID_SINGULAR_OVERWRITES)
        .setParseInfoTreeBuilder(tree)
        .build();
    try {
      parser.merge(text, builder);
      return new ParsedConfig(Optional.of(builder.buildPartial()), Locations.of(tree.build(), ROOT), List.of());
    } catch (TextFormat.ParseException e) {
      String what = e.getMessage().substring(e.getMessage().indexOf(": ") + 2);
      if (what.startsWith(UNKNOWN)) {
        // protobuf lists every unknown field only after reading the whole file: the rest is complete
        Locations at = Locations.of(tree.build(), ROOT);
        return new ParsedConfig(Optional.of(builder.buildPartial()), at, unknownFields(what, at));
      }
      Problem stop = stopped(text, what, Math.max(0, e.getLine()), Math.max(0, e.getColumn()), tree.build(), builder);
      return new ParsedConfig(Optional.empty(), new Locations(), List.of(stop));
    }
  }

  private static List<Problem> unknownFields(String what, Locations at) {
    List<Problem> out = new ArrayList<>();
    for (String line : what.lines().skip(1).toList()) {
      Matcher m = UNKNOWN_LINE.matcher(line);
      if (!m.matches()) {
        continue;
      }
      int row = Integer.parseInt(m.group(1));
      int column = Integer.parseInt(m.group(2));
      String path = at.enclosing(m.group(3), row, column);
      Descriptor type = path.isEmpty() ? ROOT : typeAt(path);
      out.add(SchemaProblems.unknownField(Locations.child(path, m.group(4)), m.group(4), type).at(row, column));
    }
    return out;
  }

  /** The error that stopped protobuf's parser, worded like every other problem. */
  private static Problem stopped(String text, String what, int line, int column, TextFormatParseInfoTree tree,
      AMCTRetrainConfig.Builder partial) {
    String open = Locations.open(tree, ROOT);
    int offset = offset(text, line, column);
    String got = token(text, offset);
    List<String> quoted = QUOTED_NAME.matcher(what).results().map(r -> r.group(1)).toList();
    if (what.contains("another member of oneof") && quoted.size() == 3) {
      String second = simple(quoted.get(0));
      String holder = lastSegmentIs(open, second) ? Locations.parent(open) : open;
      Descriptor type = typeAt(holder);
      return SchemaProblems.twoMembers(holder, type.findFieldByName(second).getContainingOneof(),
          simple(quoted.get(1)), second).at(line, column);
    }
    if (what.startsWith("Non-repeated field") && quoted.size() == 1) {
      String name = simple(quoted.get(0));
      String holder = lastSegmentIs(open, name) ? Locations.parent(open) : open;
      String path = Locations.child(holder, name);
      String first = Locations.of(tree, ROOT).exactly(path)
          .map(at -> valueAfterName(text, offset(text, at.line(), at.column()))).orElse("a first " + name);
      return SchemaProblems.givenTwice(path, first, valueAfterName(text, offset)).at(line, column);
    }
    String name = nameBefore(text, offset);
    String holder = lastSegmentIs(open, name) ? Locations.parent(open) : open;
    FieldDescriptor field = name.isEmpty() ? null : typeAt(holder).findFieldByName(name);
    if (field == null) {
      return Problem.of(open, lower(what), got,
          "check the text-format syntax there: name: value, name { ... }, strings in quotes").at(line, column);
    }
    String path = Locations.child(holder, name);
    if (holder.isEmpty() && field.isRepeated()) {
      // the top-level message holds what was read so far: the bad element comes after it
      path += "[" + partial.getRepeatedFieldCount(field) + "]";
    }
    if (what.equals("Expected \":\".")) {
      return Problem.of(path, "expected ':' after the field name " + name, got,
          "write " + name + ": <value>").at(line, column);
    }
    if (got.equals("[") && !field.isRepeated()) {
      return SchemaProblems.notRepeated(path, got).at(line, column);
    }
    return SchemaProblems.wrongKind(path, field, got).at(line, column);
  }

  /** @return the message type at a config path of the schema ("" is the top level) */
  private static Descriptor typeAt(String path) {
    Descriptor type = ROOT;
    for (String segment : path.isEmpty() ? new String[0] : path.split("\\.")) {
      String name = segment.replaceAll("\\[\\d+]$", "");
      type = type.findFieldByName(name).getMessageType();
    }
    return type;
  }

  private static boolean lastSegmentIs(String path, String name) {
    String last = path.substring(path.lastIndexOf('.') + 1).replaceAll("\\[\\d+]$", "");
    return !name.isEmpty() && last.equals(name);
  }

  private static String simple(String fullName) {
    return fullName.substring(fullName.lastIndexOf('.') + 1);
  }

  private static String lower(String what) {
    String s = what.endsWith(".") ? what.substring(0, what.length() - 1) : what;
    return s.isEmpty() ? "unreadable text" : Character.toLowerCase(s.charAt(0)) + s.substring(1);
  }

  private static int offset(String text, int line, int column) {
    int at = 0;
    for (int l = 1; l < line && at >= 0; l++) {
      at = text.indexOf('\n', at) + 1;
      if (at == 0) {
        return text.length();
      }
    }
    return Math.min(text.length(), at + Math.max(0, column - 1));
  }

  /** @return the token at the offset as written, for messages: a quoted string, a word or one character */
  private static String token(String text, int offset) {
    if (offset >= text.length()) {
      return "the end of the file";
    }
    char c = text.charAt(offset);
    int end = offset + 1;
    if (c == '"' || c == '\'') {
      while (end < text.length() && text.charAt(end) != c && text.charAt(end) != '\n') {
        end += text.charAt(end) == '\\' ? 2 : 1;
      }
      end = Math.min(text.length(), end + 1);
    } else if (word(c)) {
      while (end < text.length() && (word(text.charAt(end)) || text.charAt(end) == '.')) {
        end++;
      }
    }
    return text.substring(offset, end);
  }

  /**
   * @return the value written after the field name or ':' at the offset, for messages; a message reads
   *     {@code { ... }}
   */
  private static String valueAfterName(String text, int offset) {
    int i = offset;
    while (i < text.length() && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '_')) {
      i++;
    }
    while (i < text.length() && (Character.isWhitespace(text.charAt(i)) || text.charAt(i) == ':')) {
      i++;
    }
    String value = token(text, i);
    return value.equals("{") || value.equals("<") ? "{ ... }" : value;
  }

  /** @return the field name written just before the offset ({@code name:} or {@code name}), or "" */
  private static String nameBefore(String text, int offset) {
    int i = offset - 1;
    while (i >= 0 && Character.isWhitespace(text.charAt(i))) {
      i--;
    }
    if (i >= 0 && text.charAt(i) == ':') {
      i--;
      while (i >= 0 && Character.isWhitespace(text.charAt(i))) {
        i--;
      }
    }
    int end = i + 1;
    while (i >= 0 && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '_')) {
      i--;
    }
    String name = text.substring(i + 1, end);
    return !name.isEmpty() && (Character.isLetter(name.charAt(0)) || name.charAt(0) == '_') ? name : "";
  }

  private static boolean word(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '+';
  }
}
