package io.compactor.core.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.Message;
import io.compactor.core.config.Locations.Position;
import io.compactor.core.config.proto.AmctRetrainConfigProto.AMCTRetrainConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a JSON configuration (AMCT's snake_case field names and nesting, one top-level object) into the
 * same protobuf messages as the text format, by the schema's descriptors. Strict where protobuf's
 * {@code JsonFormat} is lenient (it also takes camelCase names) and, unlike it, reports every problem with
 * its config path, line and column. A repeated field also takes a single value (a one-element list).
 */
final class JsonConfigReader {
  private static final JsonFactory FACTORY = new JsonFactory();
  private static final BigInteger UINT32_MAX = BigInteger.valueOf(0xFFFF_FFFFL);

  private final Locations at = new Locations();
  private final List<Problem> problems = new ArrayList<>();
  /** False once a problem other than an unknown field is found: the message would then not say what the file says. */
  private boolean intact = true;

  private JsonConfigReader() {}

  static ParsedConfig read(String text) {
    JsonConfigReader r = new JsonConfigReader();
    try (JsonParser p = FACTORY.createParser(text)) {
      JsonToken first = p.nextToken();
      if (first != JsonToken.START_OBJECT) {
        return fatal(p.currentTokenLocation(), "a JSON configuration must be one object",
            first == null ? "an empty file" : "'" + p.getText() + "'", "wrap the fields in { ... }");
      }
      AMCTRetrainConfig.Builder root = AMCTRetrainConfig.newBuilder();
      r.object(p, root, "");
      if (p.nextToken() != null) {
        return fatal(p.currentTokenLocation(), "text after the configuration object", "'" + p.getText() + "'",
            "remove it, or move it inside the object");
      }
      return new ParsedConfig(r.intact ? Optional.of(root.buildPartial()) : Optional.empty(), r.at, r.problems);
    } catch (JsonProcessingException e) {
      String why = e.getOriginalMessage() == null ? "unreadable"
          : e.getOriginalMessage().lines().findFirst().orElse("");
      return fatal(e.getLocation() == null ? JsonLocation.NA : e.getLocation(), "not valid JSON (" + why + ")",
          "the text there", "fix the JSON syntax, or use the .cfg text format");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ParsedConfig fatal(JsonLocation where, String what, String got, String fix) {
    Problem p = Problem.of("", what, got, fix).at(Math.max(1, where.getLineNr()), Math.max(1, where.getColumnNr()));
    return new ParsedConfig(Optional.empty(), new Locations(), List.of(p));
  }

  private void object(JsonParser p, Message.Builder b, String path) throws IOException {
    Map<String, String> seen = new HashMap<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      Position where = position(p.currentTokenLocation());
      p.nextToken();
      String fieldPath = Locations.child(path, name);
      FieldDescriptor f = b.getDescriptorForType().findFieldByName(name);
      if (f == null) {
        problems.add(SchemaProblems.unknownField(fieldPath, name, b.getDescriptorForType()).at(where.line(),
            where.column()));
        p.skipChildren();
        continue;
      }
      at.put(fieldPath, where, f);
      if (f.isRepeated()) {
        repeated(p, b, f, fieldPath);
        continue;
      }
      OneofDescriptor oneof = f.getContainingOneof();
      String first = seen.putIfAbsent(name, display(p));
      if (first != null) {
        shape(SchemaProblems.givenTwice(fieldPath, first, display(p)), where);
      } else if (oneof != null && b.hasOneof(oneof)) {
        shape(SchemaProblems.twoMembers(path, oneof, b.getOneofFieldDescriptor(oneof).getName(), name), where);
      } else if (p.currentToken() == JsonToken.START_ARRAY) {
        shape(SchemaProblems.notRepeated(fieldPath, "[...]"), where);
      } else {
        value(p, b, f, fieldPath, where).ifPresent(v -> b.setField(f, v));
        continue;
      }
      p.skipChildren();
    }
  }

  private void repeated(JsonParser p, Message.Builder b, FieldDescriptor f, String path) throws IOException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      Position where = position(p.currentTokenLocation());
      String element = path + "[" + b.getRepeatedFieldCount(f) + "]";
      at.put(element, where, f);
      value(p, b, f, element, where).ifPresent(v -> b.addRepeatedField(f, v));
      return;
    }
    while (p.nextToken() != JsonToken.END_ARRAY) {
      Position where = position(p.currentTokenLocation());
      String element = path + "[" + b.getRepeatedFieldCount(f) + "]";
      at.put(element, where, f);
      value(p, b, f, element, where).ifPresent(v -> b.addRepeatedField(f, v));
    }
  }

  /** @return the value of one (element of a) field, or empty after recording why it cannot be one */
  private Optional<Object> value(JsonParser p, Message.Builder parent, FieldDescriptor f, String path,
      Position where) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.VALUE_NULL) {
      return shape(Problem.of(path, "must be a single value", "null", "give a value or remove the field"), where);
    }
    Optional<Object> v = switch (f.getJavaType()) {
      case MESSAGE -> {
        if (t != JsonToken.START_OBJECT) {
          yield Optional.empty();
        }
        Message.Builder sub = parent.newBuilderForField(f);
        object(p, sub, path);
        yield Optional.of(sub.buildPartial());
      }
      case FLOAT -> number(p).map(d -> (Object) (float) d.doubleValue());
      case DOUBLE -> number(p).map(d -> (Object) d);
      case INT, LONG -> whole(p, f);
      case BOOLEAN -> t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE
          ? Optional.of(t == JsonToken.VALUE_TRUE) : Optional.empty();
      case STRING -> t == JsonToken.VALUE_STRING ? Optional.of(p.getText()) : Optional.empty();
      case ENUM -> enumValue(p, f).map(e -> (Object) e);
      default -> Optional.empty();
    };
    if (v.isEmpty()) {
      boolean badEnum = f.getJavaType() == FieldDescriptor.JavaType.ENUM && t != JsonToken.START_OBJECT
          && t != JsonToken.START_ARRAY;
      shape(badEnum ? SchemaProblems.notAnEnumValue(path, f.getEnumType(), p.getText())
          : SchemaProblems.wrongKind(path, f, display(p)), where);
      p.skipChildren();
    }
    return v;
  }

  private static Optional<Double> number(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    return t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT
        ? Optional.of(p.getDoubleValue()) : Optional.empty();
  }

  private static Optional<Object> whole(JsonParser p, FieldDescriptor f) throws IOException {
    if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
      return Optional.empty();
    }
    BigInteger n = p.getBigIntegerValue();
    return switch (f.getType()) {
      case UINT32, FIXED32 -> n.signum() >= 0 && n.compareTo(UINT32_MAX) <= 0
          ? Optional.of((Object) n.intValue()) : Optional.empty();
      case INT32, SINT32, SFIXED32 -> n.bitLength() < 32 ? Optional.of((Object) n.intValue()) : Optional.empty();
      default -> n.bitLength() < 64 ? Optional.of((Object) n.longValue()) : Optional.empty();
    };
  }

  private static Optional<EnumValueDescriptor> enumValue(JsonParser p, FieldDescriptor f) throws IOException {
    return switch (p.currentToken()) {
      case VALUE_STRING -> Optional.ofNullable(f.getEnumType().findValueByName(p.getText()));
      case VALUE_NUMBER_INT -> Optional.ofNullable(f.getEnumType().findValueByNumber(p.getIntValue()));
      default -> Optional.empty();
    };
  }

  private static String display(JsonParser p) throws IOException {
    return switch (p.currentToken()) {
      case VALUE_STRING -> "\"" + p.getText().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
      case START_OBJECT -> "{ ... }";
      case VALUE_NULL -> "null";
      case START_ARRAY -> "[...]";
      default -> p.getText();
    };
  }

  /** Records a problem that makes the read message differ from the file. */
  private <T> Optional<T> shape(Problem problem, Position where) {
    problems.add(problem.at(where.line(), where.column()));
    intact = false;
    return Optional.empty();
  }

  private static Position position(JsonLocation l) {
    return new Position(Math.max(1, l.getLineNr()), Math.max(1, l.getColumnNr()));
  }
}
