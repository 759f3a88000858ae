package io.compactor.api;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The resolved configuration of one method for one operator, keyed like AMCT's compiled per-layer
 * configuration ({@code prune_ratio}, {@code ascend_optimized}, {@code update_freq}, {@code clip_max},
 * {@code clip_min}, {@code fixed_min}, {@code channel_wise}, {@code weight_algo}, ...; see
 * {@code docs/config.md}). Values are Boolean, Number or String. Read and write the built-in capabilities'
 * settings with their {@link SettingKey}s ({@link Capabilities#settingKeys}), which check the values.
 * Immutable.
 */
public final class Settings {
  /** No settings. */
  public static final Settings EMPTY = new Settings(Map.of());
  private final Map<String, Object> values;

  /** @param values setting name to Boolean, Number or String; copied */
  public Settings(Map<String, ?> values) {
    values.forEach((k, v) -> {
      if (!(v instanceof Boolean || v instanceof Number || v instanceof String)) {
        throw new IllegalArgumentException("setting " + k + " must be a Boolean, Number or String, got " + v);
      }
    });
    this.values = Map.copyOf(values);
  }

  /** @return the value of {@code key}, if set */
  public Optional<Object> get(String key) {
    return Optional.ofNullable(values.get(key));
  }

  /** @return the number under {@code key}, if set */
  public Optional<Double> number(String key) {
    return get(key).map(v -> ((Number) require(key, v, Number.class)).doubleValue());
  }

  /** @return the boolean under {@code key}, if set */
  public Optional<Boolean> bool(String key) {
    return get(key).map(v -> (Boolean) require(key, v, Boolean.class));
  }

  /** @return the string under {@code key}, if set */
  public Optional<String> string(String key) {
    return get(key).map(v -> (String) require(key, v, String.class));
  }

  /** @return all settings, sorted by name */
  public Map<String, Object> asMap() {
    return new TreeMap<>(values);
  }

  /** @return these settings plus {@code key = value} */
  public Settings with(String key, Object value) {
    Map<String, Object> copy = new TreeMap<>(values);
    copy.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
    return new Settings(copy);
  }

  /**
   * @param key the key
   * @param value its value, checked against the key's type and rule
   * @param <T> the value type
   * @return these settings plus {@code key = value}
   * @throws IllegalArgumentException naming the key when the value is not allowed
   * @since 1.2.0
   */
  public <T> Settings with(SettingKey<T> key, T value) {
    return with(Objects.requireNonNull(key, "key").name(), key.valueOf(value));
  }

  private static Object require(String key, Object v, Class<?> type) {
    if (!type.isInstance(v)) {
      throw new IllegalStateException("setting " + key + " is " + v + ", not a " + type.getSimpleName());
    }
    return v;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Settings s && s.values.equals(values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  @Override
  public String toString() {
    return asMap().toString();
  }
}
