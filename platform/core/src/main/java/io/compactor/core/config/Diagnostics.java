package io.compactor.core.config;

import java.util.ArrayList;
import java.util.List;

/** Problems and warnings collected while a configuration is bound; nothing stops at the first one. */
final class Diagnostics {
  private final Locations locations;
  private final List<Problem> problems = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();

  /** @param locations where the fields were written, to place each problem in the file */
  Diagnostics(Locations locations) {
    this.locations = locations;
  }

  /** Records a problem worded {@code <path>: <what>, got <got>; <fix>}, at the field's line and column. */
  void error(String path, String what, String got, String fix) {
    problems.add(locations.place(Problem.of(path, what, got, fix)));
  }

  /** Records a warning: a sentence naming the config path. */
  void warn(String warning) {
    warnings.add(warning);
  }

  /** @return the number of problems so far */
  int problemCount() {
    return problems.size();
  }

  List<Problem> problems() {
    return List.copyOf(problems);
  }

  List<String> warnings() {
    return List.copyOf(warnings);
  }
}
