package io.compactor.core.config;

import java.nio.file.Path;
import java.util.Locale;

/** The two ways to write a configuration; both mean the same and give the same errors. */
public enum ConfigFormat {
  /** JSON with AMCT's field names and nesting. */
  JSON,
  /** AMCT's protobuf text format, usually a {@code .cfg} file, read unchanged. */
  TEXT;

  /**
   * @param file a configuration file
   * @param text its contents
   * @return {@link #JSON} for {@code .json} files, {@link #TEXT} for {@code .cfg}, {@code .txt},
   *     {@code .pbtxt} and {@code .prototxt}; otherwise JSON when the text starts with '{'
   */
  public static ConfigFormat of(Path file, String text) {
    String name = String.valueOf(file.getFileName()).toLowerCase(Locale.ROOT);
    if (name.endsWith(".json")) {
      return JSON;
    }
    if (name.endsWith(".cfg") || name.endsWith(".txt") || name.endsWith(".pbtxt") || name.endsWith(".prototxt")) {
      return TEXT;
    }
    return text.stripLeading().startsWith("{") ? JSON : TEXT;
  }
}
