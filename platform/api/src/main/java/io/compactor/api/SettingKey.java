package io.compactor.api;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * One key of the per-operator {@link Settings} a capability's provider receives: its name, value type,
 * default and the values it allows. The planner writes settings with these keys and bundles read them with
 * the same keys, so a key is spelled once; the built-in capabilities' keys are {@link FilterPruneKeys},
 * {@link TwoOfFourKeys} and {@link Int8Keys}. A value is read in its own type or in its string form
 * ({@code "0.3"}, {@code "true"}), which is parsed. Immutable.
 *
 * @param <T> Boolean, Integer, Double or String
 * @since 1.2.0
 */
public final class SettingKey<T> {
  private static final List<Class<?>> TYPES = List.of(Boolean.class, Integer.class, Double.class, String.class);
  private final String capability;
  private final String name;
  private final Class<T> type;
  private final Optional<T> defaultValue;
  private final Predicate<? super T> allowed;
  private final String rule;
  private final String fix;
  private final boolean always;
  private final String meaning;

  private SettingKey(Builder<T> b) {
    this.capability = b.capability;
    this.name = b.name;
    this.type = b.type;
    this.defaultValue = Optional.ofNullable(b.defaultValue);
    this.allowed = b.allowed;
    this.rule = b.rule;
    this.fix = b.fix;
    this.always = b.always;
    this.meaning = b.meaning;
  }

  /**
   * @param capability the capability whose settings carry the key, e.g. {@value Capabilities#SPARSITY_2OF4}
   * @param name the key, lowercase with underscores like AMCT's compiled configuration
   * @param type Boolean, Integer, Double or String
   * @param <T> the value type
   * @return a builder
   */
  public static <T> Builder<T> builder(String capability, String name, Class<T> type) {
    return new Builder<>(capability, name, type);
  }

  /** @return the capability whose settings carry this key */
  public String capability() {
    return capability;
  }

  /** @return the key, e.g. {@code prune_ratio} */
  public String name() {
    return name;
  }

  /** @return Boolean, Integer, Double or String */
  public Class<T> type() {
    return type;
  }

  /** @return the value a provider assumes when the key is absent; empty when it must be given */
  public Optional<T> defaultValue() {
    return defaultValue;
  }

  /** @return true when the planner sets the key on every operator of the capability, false only if configured */
  public boolean always() {
    return always;
  }

  /** @return the allowed values in words, e.g. {@code between 0 and 1 (exclusive)}; empty when any value of the type is */
  public String rule() {
    return rule;
  }

  /** @return what the key means */
  public String meaning() {
    return meaning;
  }

  /**
   * @param settings one operator's settings
   * @return the value, if set
   * @throws IllegalArgumentException naming the key, the value and what is allowed
   */
  public Optional<T> find(Settings settings) {
    return settings.get(name).map(this::valueOf);
  }

  /**
   * @param settings one operator's settings
   * @return the value, or the default when absent
   * @throws IllegalArgumentException naming the key when the value is bad, or absent without a default
   */
  public T get(Settings settings) {
    return find(settings).or(() -> defaultValue).orElseThrow(() -> new IllegalArgumentException(
        name + ": missing; give " + meaning + ", " + expected()));
  }

  /**
   * @param task one operator and its settings
   * @return the value, if set
   * @throws StepException naming the capability, the layer, the key, the value and what is allowed
   */
  public Optional<T> find(LayerTask task) {
    try {
      return find(task.settings());
    } catch (IllegalArgumentException e) {
      throw new StepException(capability, task.node(), e.getMessage(), e);
    }
  }

  /**
   * @param task one operator and its settings
   * @return the value, or the default when absent
   * @throws StepException naming the capability, the layer and the key when the value is bad, or absent
   *     without a default
   */
  public T get(LayerTask task) {
    try {
      return get(task.settings());
    } catch (IllegalArgumentException e) {
      throw new StepException(capability, task.node(), e.getMessage(), e);
    }
  }

  /**
   * @param text the string form, e.g. {@code 0.3}, {@code true}, {@code M4N2}
   * @return the value
   * @throws IllegalArgumentException naming the key, the text and what is allowed
   */
  public T parse(String text) {
    Objects.requireNonNull(text, "text");
    Object value;
    try {
      value = type == Boolean.class ? parseBoolean(text.trim())
          : type == Integer.class ? Integer.valueOf(text.trim())
          : type == Double.class ? Double.valueOf(text.trim())
          : text;
    } catch (IllegalArgumentException e) {
      throw invalid("'" + text + "'");
    }
    return checked(type.cast(value));
  }

  /**
   * @param value a settings value: Boolean, Number or String (the string form is parsed)
   * @return the value in this key's type
   * @throws IllegalArgumentException naming the key, the value and what is allowed
   */
  public T valueOf(Object value) {
    Objects.requireNonNull(value, "value");
    if (value instanceof String s && type != String.class) {
      return parse(s);
    }
    if (type == Double.class && value instanceof Number n) {
      return checked(type.cast(n.doubleValue()));
    }
    if (type == Integer.class && value instanceof Number n) {
      double d = n.doubleValue();
      if (d != Math.rint(d) || d < Integer.MIN_VALUE || d > Integer.MAX_VALUE) {
        throw invalid(String.valueOf(value));
      }
      return checked(type.cast((int) d));
    }
    if (!type.isInstance(value)) {
      throw invalid(value instanceof String ? "'" + value + "'" : String.valueOf(value));
    }
    return checked(type.cast(value));
  }

  private T checked(T value) {
    if (!allowed.test(value)) {
      throw invalid(value instanceof String ? "'" + value + "'" : String.valueOf(value));
    }
    return value;
  }

  private IllegalArgumentException invalid(String shown) {
    return new IllegalArgumentException(name + ": must be " + expected() + ", got " + shown
        + (fix.isEmpty() ? "" : "; " + fix));
  }

  /** @return e.g. {@code a number between 0 and 1 (exclusive)}, {@code arq_retrain or ulq_retrain} */
  private String expected() {
    String kind = type == Boolean.class ? "true or false"
        : type == Integer.class ? "a whole number" : type == Double.class ? "a number" : "a string";
    if (rule.isEmpty()) {
      return kind;
    }
    return type == String.class ? rule : kind + " " + rule;
  }

  private static Boolean parseBoolean(String text) {
    if (!text.equals("true") && !text.equals("false")) {
      throw new IllegalArgumentException(text);
    }
    return Boolean.valueOf(text);
  }

  @Override
  public String toString() {
    return capability + "/" + name;
  }

  /** Describes one key; {@link #build()} checks that the parts fit together. */
  public static final class Builder<T> {
    private final String capability;
    private final String name;
    private final Class<T> type;
    private T defaultValue;
    private Predicate<? super T> allowed = v -> true;
    private String rule = "";
    private String fix = "";
    private boolean always;
    private String meaning = "";

    private Builder(String capability, String name, Class<T> type) {
      this.capability = Objects.requireNonNull(capability, "capability");
      this.name = Objects.requireNonNull(name, "name");
      this.type = Objects.requireNonNull(type, "type");
      if (!TYPES.contains(type)) {
        throw new IllegalArgumentException("setting " + name + ": type must be Boolean, Integer, Double or String, got "
            + type.getName());
      }
    }

    /**
     * @param text what the key means, in a few words
     * @return this builder
     */
    public Builder<T> meaning(String text) {
      this.meaning = Objects.requireNonNull(text, "text");
      return this;
    }

    /**
     * @param value the value a provider assumes when the key is absent
     * @return this builder
     */
    public Builder<T> defaultValue(T value) {
      this.defaultValue = Objects.requireNonNull(value, "value");
      return this;
    }

    /**
     * @param test accepts the allowed values
     * @param words the allowed values in words, completing "must be a number ...", e.g. {@code > 0}
     * @return this builder
     */
    public Builder<T> allowed(Predicate<? super T> test, String words) {
      this.allowed = Objects.requireNonNull(test, "test");
      this.rule = Objects.requireNonNull(words, "words");
      return this;
    }

    /**
     * @param values the only values allowed
     * @return this builder
     */
    @SafeVarargs
    public final Builder<T> oneOf(T... values) {
      List<T> list = List.of(values);
      String words = list.stream().map(String::valueOf).collect(Collectors.joining(", "));
      int last = words.lastIndexOf(", ");
      return allowed(list::contains, last < 0 ? words : words.substring(0, last) + " or " + words.substring(last + 2));
    }

    /**
     * @param text how to fix a bad value, appended to the error after {@code ;}
     * @return this builder
     */
    public Builder<T> fix(String text) {
      this.fix = Objects.requireNonNull(text, "text");
      return this;
    }

    /**
     * Marks the key as set on every operator of the capability (otherwise only when configured).
     *
     * @return this builder
     */
    public Builder<T> always() {
      this.always = true;
      return this;
    }

    /**
     * @return the key
     * @throws IllegalArgumentException when the default is not an allowed value
     */
    public SettingKey<T> build() {
      if (defaultValue != null && !allowed.test(defaultValue)) {
        throw new IllegalArgumentException("setting " + name + ": default " + defaultValue + " is not " + rule);
      }
      return new SettingKey<>(this);
    }
  }
}
