package io.compactor.core.config;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The wording of every problem the schema itself finds (unknown field, value of the wrong kind, a single
 * field or a oneof given twice), shared by the text and the JSON reader so one mistake reads the same in
 * both formats.
 */
final class SchemaProblems {
  private static final Map<String, String> ONEOF_FIX = Map.of(
      "weights_retrain_algo", "keep one of them (arq_retrain is recommended for weights)",
      "regular_prune_strategy", "keep one: a run uses filter pruning or 2:4 sparsity, never both");

  private SchemaProblems() {}

  static Problem unknownField(String path, String name, Descriptor type) {
    List<String> known = type.getFields().stream().map(FieldDescriptor::getName).toList();
    String fix = ClosestNames.typo(name, known).map(s -> "did you mean " + s + "? ").orElse("")
        + (known.size() <= 6 ? "fields valid here: " + String.join(", ", known)
            : "see docs/config.md for the fields valid here");
    return Problem.of(path, "unknown field", name, fix);
  }

  /** A value that the field's type cannot take, e.g. a quoted string for a float. */
  static Problem wrongKind(String path, FieldDescriptor field, String got) {
    return switch (field.getJavaType()) {
      case FLOAT, DOUBLE -> Problem.of(path, "must be a finite number", got, "write a number such as 0.3");
      case INT, LONG -> Problem.of(path, "must be a whole number from " + min(field) + " to " + max(field), got,
          "write a whole number such as 1");
      case BOOLEAN -> Problem.of(path, "must be true or false", got, "write true or false");
      case STRING -> Problem.of(path, "must be a quoted string", got, bare(got)
          ? "write it in quotes: \"" + got + "\"" : "write it in quotes");
      case ENUM -> notAnEnumValue(path, field.getEnumType(), got);
      case MESSAGE -> Problem.of(path, "must be a message { ... }", got,
          "write its fields inside braces (a JSON object in .json files)");
      default -> Problem.of(path, "has a value of the wrong kind", got, "see docs/config.md for its type");
    };
  }

  static Problem notAnEnumValue(String path, EnumDescriptor type, String got) {
    String valid = type.getValues().stream().map(EnumValueDescriptor::getName).collect(Collectors.joining(", "));
    return Problem.of(path, "is not a value of " + type.getName(), got, "use one of " + valid);
  }

  static Problem notRepeated(String path, String got) {
    return Problem.of(path, "is not a repeated field", got, "give one value, not a list");
  }

  /** @param first the first value as written ({@code { ... }} for a message), likewise {@code second} */
  static Problem givenTwice(String path, String first, String second) {
    return Problem.of(path, "is given 2 times", first + " and " + second,
        "keep one; only repeated fields may appear more than once");
  }

  /** @param path the message that holds the oneof */
  static Problem twoMembers(String path, OneofDescriptor oneof, String first, String second) {
    return Problem.of(path, "sets two members of the oneof " + oneof.getName(), first + " and " + second,
        ONEOF_FIX.getOrDefault(oneof.getName(), "keep one of them"));
  }

  private static boolean bare(String got) {
    return got.matches("[A-Za-z_][A-Za-z0-9_.]*");
  }

  private static String min(FieldDescriptor f) {
    return switch (f.getType()) {
      case UINT32, UINT64, FIXED32, FIXED64 -> "0";
      case INT64, SINT64, SFIXED64 -> String.valueOf(Long.MIN_VALUE);
      default -> String.valueOf(Integer.MIN_VALUE);
    };
  }

  private static String max(FieldDescriptor f) {
    return switch (f.getType()) {
      case UINT32, FIXED32 -> "4294967295";
      case UINT64, FIXED64 -> "18446744073709551615";
      case INT64, SINT64, SFIXED64 -> String.valueOf(Long.MAX_VALUE);
      default -> String.valueOf(Integer.MAX_VALUE);
    };
  }
}
