package io.compactor.core.config;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A configuration file read into fields and values before any meaning is given to them. The JSON and
 * the protobuf text readers both produce this tree, and {@link ConfigBinder} alone gives it meaning, so
 * both formats accept the same things and report the same problems.
 */
final class ConfigTree {
  private ConfigTree() {}

  /** What a scalar looked like in the file. */
  enum Kind {
    /** A quoted string. */
    STRING,
    /** A number, as written. */
    NUMBER,
    /** A bare word of the text format: an enum value, {@code true}, {@code false}, {@code inf}. */
    IDENTIFIER,
    /** A JSON {@code true} or {@code false}. */
    BOOLEAN,
    /** A JSON {@code null}. */
    NULL
  }

  /** A field value: a scalar, a nested message or a list. */
  sealed interface Value permits Scalar, Message, ListValue {
    /** @return the value as the user would recognise it in a message */
    String display();
  }

  /**
   * @param kind how the value was written
   * @param text the value: unquoted and unescaped for strings, as written otherwise
   */
  record Scalar(Kind kind, String text) implements Value {
    Scalar {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(text, "text");
    }

    @Override
    public String display() {
      return kind == Kind.STRING ? "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"" : text;
    }
  }

  /** @param fields the fields in file order; a name may repeat */
  record Message(List<Field> fields) implements Value {
    Message {
      fields = List.copyOf(fields);
    }

    @Override
    public String display() {
      return fields.isEmpty() ? "{ }" : "{ " + fields.stream().map(Field::name)
          .collect(Collectors.joining(" ", "", " ... }"));
    }
  }

  /** @param elements the values of a list written in one place ({@code [a, b]} or a JSON array) */
  record ListValue(List<Value> elements) implements Value {
    ListValue {
      elements = List.copyOf(elements);
    }

    @Override
    public String display() {
      return elements.stream().map(Value::display).collect(Collectors.joining(", ", "[", "]"));
    }
  }

  /**
   * @param name the field name
   * @param value its value
   */
  record Field(String name, Value value) {
    Field {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
    }
  }

  /** A file that is not well-formed JSON or text format; reading stops at the first such error. */
  static final class SyntaxError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Problem problem;

    /**
     * @param line 1-based line
     * @param column 1-based column
     * @param what what is wrong
     * @param got what was found
     * @param fix how to fix it
     */
    SyntaxError(int line, int column, String what, String got, String fix) {
      super(what);
      this.problem = Problem.of("", "line " + line + ", column " + column + ": " + what, got, fix);
    }

    Problem problem() {
      return problem;
    }
  }
}
