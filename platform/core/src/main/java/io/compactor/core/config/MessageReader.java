package io.compactor.core.config;

import io.compactor.core.config.ConfigTree.Field;
import io.compactor.core.config.ConfigTree.Kind;
import io.compactor.core.config.ConfigTree.ListValue;
import io.compactor.core.config.ConfigTree.Message;
import io.compactor.core.config.ConfigTree.Scalar;
import io.compactor.core.config.ConfigTree.Value;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.ToIntFunction;
import java.util.stream.Collectors;

/**
 * Typed access to the fields of one message of a {@link ConfigTree}, reporting to {@link Diagnostics}
 * instead of throwing: unknown fields (with the closest valid name), a value of the wrong kind, a
 * single field given twice, a list where one value belongs. A field with a problem reads as absent, so
 * one mistake does not cascade into others.
 */
final class MessageReader {
  private static final Set<String> TRUE = Set.of("true", "True", "t", "1");
  private static final Set<String> FALSE = Set.of("false", "False", "f", "0");
  private static final long UINT32_MAX = 0xFFFF_FFFFL;

  private final String path;
  private final Map<String, List<Value>> values = new LinkedHashMap<>();
  private final Diagnostics diagnostics;

  /**
   * @param path this message's config path, empty for the top level
   * @param message the message
   * @param known the field names valid here, in schema order
   * @param diagnostics where problems go
   */
  MessageReader(String path, Message message, List<String> known, Diagnostics diagnostics) {
    this.path = path;
    this.diagnostics = diagnostics;
    for (Field f : message.fields()) {
      if (known.contains(f.name())) {
        values.computeIfAbsent(f.name(), k -> new ArrayList<>()).add(f.value());
        continue;
      }
      String fix = ClosestNames.typo(f.name(), known).map(s -> "did you mean " + s + "? ").orElse("")
          + (known.size() <= 6 ? "fields valid here: " + String.join(", ", known)
              : "see docs/config.md for the fields valid here");
      diagnostics.error(path(f.name()), "unknown field", f.name(), fix);
    }
  }

  /** @return this message's config path */
  String path() {
    return path;
  }

  /** @return the config path of one of this message's fields */
  String path(String field) {
    return path.isEmpty() ? field : path + "." + field;
  }

  /** @return whether the field is written at least once (even with a wrong value) */
  boolean has(String field) {
    return values.containsKey(field);
  }

  /** @return the message in a single message field */
  Optional<MessageReader> message(String field, List<String> known) {
    return single(field).flatMap(v -> asMessage(path(field), v, known));
  }

  /** @return the messages of a repeated message field, each with its indexed path */
  List<MessageReader> messages(String field, List<String> known) {
    List<Value> all = repeated(field);
    List<MessageReader> out = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      asMessage(path(field) + "[" + i + "]", all.get(i), known).ifPresent(out::add);
    }
    return out;
  }

  /** @return the size of a repeated field, counting elements that have problems */
  int count(String field) {
    return repeated(field).size();
  }

  /** @return a finite number */
  Optional<Double> number(String field) {
    return scalar(field).flatMap(s -> {
      Optional<BigDecimal> d = s.kind() == Kind.NUMBER ? decimal(s.text()) : Optional.empty();
      if (d.isEmpty()) {
        diagnostics.error(path(field), "must be a finite number", s.display(), "write a number such as 0.3");
      }
      return d.map(BigDecimal::doubleValue);
    });
  }

  /** @return an unsigned 32-bit integer */
  Optional<Long> unsigned(String field) {
    return scalar(field).flatMap(s -> {
      Optional<BigDecimal> d = s.kind() == Kind.NUMBER ? decimal(s.text()) : Optional.empty();
      Optional<Long> n = d.filter(v -> v.signum() >= 0 && v.stripTrailingZeros().scale() <= 0
          && v.compareTo(BigDecimal.valueOf(UINT32_MAX)) <= 0).map(BigDecimal::longValueExact);
      if (n.isEmpty()) {
        diagnostics.error(path(field), "must be a whole number from 0 to " + UINT32_MAX, s.display(),
            "write a whole number such as 1");
      }
      return n;
    });
  }

  /** @return a boolean */
  Optional<Boolean> bool(String field) {
    return scalar(field).flatMap(s -> {
      boolean word = s.kind() == Kind.BOOLEAN || s.kind() == Kind.IDENTIFIER || s.kind() == Kind.NUMBER;
      if (word && TRUE.contains(s.text())) {
        return Optional.of(true);
      }
      if (word && FALSE.contains(s.text())) {
        return Optional.of(false);
      }
      diagnostics.error(path(field), "must be true or false", s.display(), "write true or false");
      return Optional.empty();
    });
  }

  /** @return a quoted string */
  Optional<String> string(String field) {
    return scalar(field).flatMap(s -> asString(path(field), s));
  }

  /** A repeated string element and its indexed path. */
  record Element(String path, String value) {}

  /** @return the strings of a repeated string field, each with its indexed path */
  List<Element> strings(String field) {
    List<Value> all = repeated(field);
    List<Element> out = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      String p = path(field) + "[" + i + "]";
      Value v = all.get(i);
      if (v instanceof Scalar s && s.kind() != Kind.NULL) {
        asString(p, s).ifPresent(str -> out.add(new Element(p, str)));
      } else {
        diagnostics.error(p, "must be a quoted string", v.display(), "write the name in quotes");
      }
    }
    return out;
  }

  /**
   * @return an enum value, written by name (bare or quoted) or by its protobuf number
   */
  <E extends Enum<E>> Optional<E> enumeration(String field, Class<E> type, ToIntFunction<E> number) {
    E[] constants = type.getEnumConstants();
    return scalar(field).flatMap(s -> {
      for (E e : constants) {
        boolean byName = (s.kind() == Kind.IDENTIFIER || s.kind() == Kind.STRING) && e.name().equals(s.text());
        boolean byNumber = s.kind() == Kind.NUMBER && String.valueOf(number.applyAsInt(e)).equals(s.text());
        if (byName || byNumber) {
          return Optional.of(e);
        }
      }
      String valid = Arrays.stream(constants).map(Enum::name).collect(Collectors.joining(", "));
      diagnostics.error(path(field), "is not a value of " + type.getSimpleName(), s.text(), "use one of " + valid);
      return Optional.empty();
    });
  }

  private Optional<String> asString(String p, Scalar s) {
    if (s.kind() == Kind.STRING) {
      return Optional.of(s.text());
    }
    diagnostics.error(p, "must be a quoted string", s.display(), "write it in quotes: \"" + s.text() + "\"");
    return Optional.empty();
  }

  private Optional<MessageReader> asMessage(String p, Value v, List<String> known) {
    if (v instanceof Message m) {
      return Optional.of(new MessageReader(p, m, known, diagnostics));
    }
    diagnostics.error(p, "must be a message { ... }", v.display(),
        "write its fields inside braces (a JSON object in .json files)");
    return Optional.empty();
  }

  private Optional<Scalar> scalar(String field) {
    return single(field).flatMap(v -> {
      if (v instanceof Scalar s && s.kind() != Kind.NULL) {
        return Optional.of(s);
      }
      diagnostics.error(path(field), "must be a single value", v.display(),
          v instanceof Scalar ? "give a value or remove the field" : "give one value, not a message");
      return Optional.empty();
    });
  }

  private Optional<Value> single(String field) {
    List<Value> all = values.getOrDefault(field, List.of());
    if (all.isEmpty()) {
      return Optional.empty();
    }
    if (all.size() > 1) {
      diagnostics.error(path(field), "is given " + all.size() + " times",
          all.stream().map(Value::display).collect(Collectors.joining(" and ")),
          "keep one; only repeated fields may appear more than once");
      return Optional.empty();
    }
    if (all.get(0) instanceof ListValue l) {
      diagnostics.error(path(field), "is not a repeated field", l.display(), "give one value, not a list");
      return Optional.empty();
    }
    return Optional.of(all.get(0));
  }

  private List<Value> repeated(String field) {
    List<Value> flat = new ArrayList<>();
    for (Value v : values.getOrDefault(field, List.of())) {
      if (v instanceof ListValue l) {
        flat.addAll(l.elements());
      } else {
        flat.add(v);
      }
    }
    return flat;
  }

  private static Optional<BigDecimal> decimal(String text) {
    String t = text.toLowerCase(Locale.ROOT);
    if (t.startsWith("+")) {
      t = t.substring(1);
    }
    try {
      if (t.matches("-?0x[0-9a-f]+")) {
        boolean negative = t.startsWith("-");
        BigDecimal v = new BigDecimal(new BigInteger(t.substring(negative ? 3 : 2), 16));
        return Optional.of(negative ? v.negate() : v);
      }
      if (t.endsWith("f")) {
        t = t.substring(0, t.length() - 1);
      }
      return Optional.of(new BigDecimal(t));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
