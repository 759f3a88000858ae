package io.compactor.core.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Platform settings with one precedence: command-line option &gt; environment variable
 * {@code COMPACTOR_<NAME>} &gt; settings file entry {@code <name>} &gt; built-in default. Kafka client
 * properties layer the same way: {@code --kafka-property k=v} &gt; {@code COMPACTOR_KAFKA_<K>} (dots as
 * underscores) &gt; {@code kafka.<k>} in the file. Remembers where each value came from so {@code run} can
 * log the effective settings, with secrets masked.
 */
final class LayeredSettings {
  private static final Pattern SECRET = Pattern.compile("(?i).*(password|secret|jaas|token|credential).*");
  private final Map<String, String> env;
  private final Properties file;
  private final String fileName;
  private final Map<String, String> effective = new LinkedHashMap<>();

  private LayeredSettings(Map<String, String> env, Properties file, String fileName) {
    this.env = env;
    this.file = file;
    this.fileName = fileName;
  }

  /**
   * @param env the environment
   * @param settingsFile the settings file given on the command line, or null for {@code COMPACTOR_SETTINGS}
   *     from the environment, or none
   * @return the layers
   * @throws IllegalArgumentException naming the file when it cannot be read
   */
  static LayeredSettings load(Map<String, String> env, Path settingsFile) {
    Path path = settingsFile != null ? settingsFile
        : Optional.ofNullable(env.get("COMPACTOR_SETTINGS")).map(Path::of).orElse(null);
    Properties p = new Properties();
    if (path != null) {
      try (Reader r = Files.newBufferedReader(path)) {
        p.load(r);
      } catch (IOException e) {
        throw new IllegalArgumentException("settings file " + path + ": cannot be read (" + e.getMessage() + ")", e);
      }
    }
    return new LayeredSettings(env, p, path == null ? null : path.toString());
  }

  /**
   * @param name the option's name without dashes, e.g. {@code bootstrap-servers}
   * @param option the command-line value, or null when not given
   * @param fallback the built-in default, or null for none
   * @return the effective value, or null when no layer has one
   */
  String get(String name, Object option, Object fallback) {
    String envName = "COMPACTOR_" + name.toUpperCase(Locale.ROOT).replace('-', '_');
    String value;
    String source;
    if (option != null) {
      value = option.toString();
      source = "option --" + name;
    } else if (env.get(envName) != null) {
      value = env.get(envName);
      source = "environment " + envName;
    } else if (file.getProperty(name) != null) {
      value = file.getProperty(name).trim();
      source = "file " + fileName;
    } else if (fallback != null) {
      value = fallback.toString();
      source = "default";
    } else {
      return null;
    }
    effective.put(name, value + "  (" + source + ")");
    return value;
  }

  /** @return {@link #get} parsed as an int, with the setting named on a bad number */
  int getInt(String name, Integer option, int fallback) {
    String v = get(name, option, fallback);
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + ": expected a whole number, got '" + v + "'", e);
    }
  }

  /**
   * @param options {@code --kafka-property} values
   * @return the Kafka client overrides from all layers
   */
  Map<String, String> kafka(Map<String, String> options) {
    Map<String, String> out = new TreeMap<>();
    for (String key : file.stringPropertyNames()) {
      if (key.startsWith("kafka.")) {
        out.put(key.substring("kafka.".length()), file.getProperty(key).trim());
      }
    }
    env.forEach((k, v) -> {
      if (k.startsWith("COMPACTOR_KAFKA_")) {
        out.put(k.substring("COMPACTOR_KAFKA_".length()).toLowerCase(Locale.ROOT).replace('_', '.'), v);
      }
    });
    out.putAll(options);
    out.forEach((k, v) -> effective.put("kafka." + k, mask(k, v)));
    return out;
  }

  /** @return the settings as log lines, sorted, secrets masked */
  String describe() {
    StringBuilder sb = new StringBuilder();
    new TreeMap<>(effective).forEach((k, v) -> sb.append(System.lineSeparator()).append("  ").append(k).append(" = ").append(v));
    return sb.toString();
  }

  private static String mask(String key, String value) {
    return SECRET.matcher(key).matches() ? "****" : value;
  }
}
