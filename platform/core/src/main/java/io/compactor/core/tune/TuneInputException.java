package io.compactor.core.tune;

import io.compactor.api.CompactorException;
import java.util.Objects;

/** A tune that cannot start because of its input: the option (or file) named, what is wrong, how to fix it. */
public final class TuneInputException extends CompactorException {
  private static final long serialVersionUID = 1L;
  private final String option;

  /**
   * @param option the option or request field at fault, e.g. {@code --max-drop}
   * @param problem what is wrong and how to fix it
   */
  public TuneInputException(String option, String problem) {
    super(option + ": " + problem);
    this.option = Objects.requireNonNull(option, "option");
  }

  /** @return the option or field at fault */
  public String option() {
    return option;
  }
}
