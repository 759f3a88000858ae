package io.compactor.core.config;

import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;
import io.compactor.core.config.proto.AmctRetrainConfigProto.AMCTRetrainConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes configurations built in code in the two forms {@link ConfigFile} reads: AMCT's protobuf text format
 * (protobuf's own printer, so AMCT's reader takes it) and JSON with the same field names and nesting. Also
 * hands out the message of a file, for tools that start from a configuration and change it.
 */
public final class ConfigWriter {
  private ConfigWriter() {}

  /**
   * @param file a {@code .cfg} or {@code .json} base configuration
   * @return its message, after every check {@link ConfigFile#readBase} makes
   * @throws InvalidConfigException listing every problem of the file
   */
  public static AMCTRetrainConfig message(Path file) {
    ConfigFile.readBase(file).orThrow();
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException("config: cannot read " + file + " again: " + e.getMessage(), e);
    }
    ParsedConfig read = ConfigFormat.of(file, text) == ConfigFormat.JSON ? JsonConfigReader.read(text)
        : TextConfigReader.read(text);
    return read.message().orElseThrow();
  }

  /**
   * @param config the configuration
   * @param comment lines written first as {@code #} comments (AMCT's reader skips them)
   * @return the {@code .cfg} text
   */
  public static String text(AMCTRetrainConfig config, List<String> comment) {
    StringBuilder s = new StringBuilder();
    for (String line : comment) {
      s.append("# ").append(line).append('\n');
    }
    return s.append(TextFormat.printer().printToString(config)).toString();
  }

  /** @return the configuration as a JSON tree: field names as in the {@code .proto}, enums by name */
  public static Map<String, Object> json(Message message) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<FieldDescriptor, Object> f : message.getAllFields().entrySet()) {
      FieldDescriptor d = f.getKey();
      if (d.isRepeated()) {
        List<Object> list = new ArrayList<>();
        for (Object v : (List<?>) f.getValue()) {
          list.add(value(d, v));
        }
        out.put(d.getName(), list);
      } else {
        out.put(d.getName(), value(d, f.getValue()));
      }
    }
    return out;
  }

  private static Object value(FieldDescriptor d, Object v) {
    return switch (d.getJavaType()) {
      case MESSAGE -> json((Message) v);
      case ENUM -> ((EnumValueDescriptor) v).getName();
      default -> v;
    };
  }
}
