package io.compactor.core.config;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A configuration as read from a file: the best-effort {@link RetrainConfig}, every problem found in the
 * file and the warnings. The planner adds the problems that need the model and fails with all of them
 * at once; callers without a model use {@link #orThrow()}.
 *
 * @param source the file, or a description of an in-memory configuration, for messages
 * @param config what the file says; parts with problems are left out
 * @param problems every problem found in the file, each with its config path (and line and column where
 *     the file gives them): unknown fields and the binder's problems, or the value that stopped the reading
 * @param warnings things that work but are probably not meant (e.g. a repeated skip entry)
 * @param complete false when an override or skip entry had to be dropped entirely, so the indices of
 *     later entries no longer match the file; the planner then skips its model checks to avoid wrong paths
 */
public record ConfigFile(String source, RetrainConfig config, List<Problem> problems, List<String> warnings,
    boolean complete) {
  public ConfigFile {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(config, "config");
    problems = List.copyOf(problems);
    warnings = List.copyOf(warnings);
  }

  /**
   * @param source a description for messages
   * @param config a configuration built in code
   * @return a configuration without file problems
   */
  public static ConfigFile of(String source, RetrainConfig config) {
    return new ConfigFile(source, config, List.of(), List.of(), true);
  }

  /**
   * Reads a {@code .json} or {@code .cfg} configuration; see {@link ConfigFormat#of}.
   *
   * @param file the configuration file
   * @return the configuration with every problem found in it; never throws for its contents
   * @throws InvalidConfigException when the file cannot be read at all
   */
  public static ConfigFile read(Path file) {
    return read(file, false);
  }

  /**
   * Reads a base configuration, one a tool adds compression to ({@code tune}): as {@link #read(Path)}, except
   * that it need not enable quantization or sparsity itself (a base of only a {@code compactor_retrain} block).
   *
   * @param file the configuration file
   * @return the configuration with every problem found in it
   * @throws InvalidConfigException when the file cannot be read at all
   */
  public static ConfigFile readBase(Path file) {
    return read(file, true);
  }

  private static ConfigFile read(Path file, boolean base) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new InvalidConfigException(file.toString(), List.of(Problem.of("", "the configuration file does not exist",
          file.toAbsolutePath().toString(), "check the --config path")));
    } catch (CharacterCodingException e) {
      throw new InvalidConfigException(file.toString(), List.of(Problem.of("", "the configuration is not UTF-8 text",
          "undecodable bytes", "save the file as UTF-8")));
    } catch (IOException e) {
      throw new InvalidConfigException(file.toString(), List.of(Problem.of("", "the configuration cannot be read",
          String.valueOf(e.getMessage()), "check the file's permissions")));
    }
    return parse(text, ConfigFormat.of(file, text), file.toString(), base);
  }

  /**
   * @param text the configuration
   * @param format how it is written
   * @param source a description for messages, usually the file name
   * @return the configuration with every problem found in it
   */
  public static ConfigFile parse(String text, ConfigFormat format, String source) {
    return parse(text, format, source, false);
  }

  private static ConfigFile parse(String text, ConfigFormat format, String source, boolean base) {
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(format, "format");
    ParsedConfig read = format == ConfigFormat.JSON ? JsonConfigReader.read(text) : TextConfigReader.read(text);
    if (read.message().isEmpty()) {
      return new ConfigFile(source, RetrainConfig.builder().build(), read.problems(), List.of(), false);
    }
    ConfigBinder.Result r = ConfigBinder.bind(read.message().get(), read.locations(), base);
    return new ConfigFile(source, r.config(), inFileOrder(read.problems(), r.problems()), r.warnings(), r.complete());
  }

  /**
   * Puts the reader's problems (unknown fields, in file order) among the binder's (in the binder's order):
   * each goes before the first binder problem placed after it in the file.
   */
  private static List<Problem> inFileOrder(List<Problem> read, List<Problem> bound) {
    List<Problem> out = new ArrayList<>();
    int next = 0;
    for (Problem b : bound) {
      while (next < read.size() && b.located() && before(read.get(next), b)) {
        out.add(read.get(next++));
      }
      out.add(b);
    }
    out.addAll(read.subList(next, read.size()));
    return out;
  }

  private static boolean before(Problem a, Problem b) {
    return a.line() < b.line() || (a.line() == b.line() && a.column() < b.column());
  }

  /**
   * @return the configuration
   * @throws InvalidConfigException listing every problem, when there is one
   */
  public RetrainConfig orThrow() {
    if (!problems.isEmpty()) {
      throw new InvalidConfigException(source, problems);
    }
    return config;
  }

  /** @return whether the file has no problems */
  public boolean valid() {
    return problems.isEmpty();
  }
}
