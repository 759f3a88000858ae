package io.compactor.core.config;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.TextFormatParseInfoTree;
import com.google.protobuf.TextFormatParseLocation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where each field of a configuration was written: config path (as in problems) to line and column. Both
 * readers fill it, so a problem found by {@link ConfigBinder} can name its place in the file.
 */
final class Locations {
  /** A 1-based position in the file. */
  record Position(int line, int column) {
    boolean before(int atLine, int atColumn) {
      return line < atLine || (line == atLine && column < atColumn);
    }
  }

  private record Opened(String path, String type, Position at) {}

  private final Map<String, Position> byPath = new HashMap<>();
  private final List<Opened> messages = new ArrayList<>();

  /**
   * Records where the field at {@code path} starts; a message (or an element of a repeated message field,
   * whose path ends in its index) also records its type.
   */
  void put(String path, Position at, FieldDescriptor field) {
    byPath.putIfAbsent(path, at);
    boolean oneMessage = !field.isRepeated() || path.endsWith("]");
    if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE && oneMessage) {
      messages.add(new Opened(path, field.getMessageType().getFullName(), at));
    }
  }

  /** @return the position of {@code path}, or of its nearest enclosing field that has one */
  Optional<Position> find(String path) {
    for (String p = path; !p.isEmpty(); p = parent(p)) {
      Position at = byPath.get(p);
      if (at != null) {
        return Optional.of(at);
      }
    }
    return Optional.empty();
  }

  /** @return the position of exactly {@code path}, when recorded */
  Optional<Position> exactly(String path) {
    return Optional.ofNullable(byPath.get(path));
  }

  /** @return the problem, placed at the position of its path when known */
  Problem place(Problem p) {
    return p.located() ? p : find(p.path()).map(at -> p.at(at.line(), at.column())).orElse(p);
  }

  /**
   * @return the path of the message of type {@code type} that encloses the position: the last one opened
   *     before it (the schema never nests a message in one of its own type); empty for the top level
   */
  String enclosing(String type, int line, int column) {
    String found = "";
    Position latest = null;
    for (Opened o : messages) {
      if (o.type().equals(type) && o.at().before(line, column) && (latest == null || latest.before(o.at().line(),
          o.at().column()))) {
        found = o.path();
        latest = o.at();
      }
    }
    return found;
  }

  /** @return the path one level up: {@code a.b[2].c} → {@code a.b[2]} → {@code a.b} → {@code a} → "" */
  static String parent(String path) {
    int cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
    return cut < 0 ? "" : path.substring(0, cut);
  }

  /** @return the path of a field inside the message at {@code path} */
  static String child(String path, String field) {
    return path.isEmpty() ? field : path + "." + field;
  }

  /** @return the locations protobuf's text parser recorded, under the config paths the binder uses */
  static Locations of(TextFormatParseInfoTree tree, Descriptor type) {
    Locations l = new Locations();
    l.walk(tree, type, "");
    return l;
  }

  private void walk(TextFormatParseInfoTree tree, Descriptor type, String path) {
    for (FieldDescriptor f : type.getFields()) {
      String p = child(path, f.getName());
      List<TextFormatParseLocation> at = tree.getLocations(f);
      if (!at.isEmpty()) {
        put(p, position(at.get(0)), f);
      }
      List<TextFormatParseInfoTree> nested = f.getJavaType() == FieldDescriptor.JavaType.MESSAGE
          ? tree.getNestedTrees(f) : List.of();
      int count = Math.max(at.size(), nested.size());
      for (int i = 0; f.isRepeated() && i < count; i++) {
        if (i < at.size()) {
          put(p + "[" + i + "]", position(at.get(i)), f);
        }
      }
      for (int i = 0; i < nested.size(); i++) {
        walk(nested.get(i), f.getMessageType(), f.isRepeated() ? p + "[" + i + "]" : p);
      }
    }
  }

  /**
   * @return the path of the message protobuf's text parser was inside when it stopped: the deepest message
   *     field it had started but not finished (its location is recorded only once the field is finished)
   */
  static String open(TextFormatParseInfoTree tree, Descriptor type) {
    for (FieldDescriptor f : type.getFields()) {
      if (f.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
        continue;
      }
      List<TextFormatParseInfoTree> nested = tree.getNestedTrees(f);
      if (nested.size() > tree.getLocations(f).size()) {
        int last = nested.size() - 1;
        String p = f.isRepeated() ? f.getName() + "[" + last + "]" : f.getName();
        String inner = open(nested.get(last), f.getMessageType());
        return inner.isEmpty() ? p : p + "." + inner;
      }
    }
    return "";
  }

  private static Position position(TextFormatParseLocation at) {
    // protobuf's locations are 0-based
    return new Position(at.getLine() + 1, at.getColumn() + 1);
  }
}
