package io.compactor.core.tune;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How a tune ended.
 *
 * @param met whether a compressed candidate meets the budget
 * @param result the chosen candidate when {@code met}, else the closest to the budget (its files are written all
 *     the same, marked as missing the budget)
 * @param margin how far {@code result} is inside the budget (negative: outside), in the budget's unit
 * @param answer one sentence for a person
 * @param output the directory written
 * @param seconds wall time of the tune
 */
public record TuneResult(boolean met, Verified result, double margin, String answer, Path output, double seconds) {
  public TuneResult {
    Objects.requireNonNull(result, "result");
    Objects.requireNonNull(answer, "answer");
    Objects.requireNonNull(output, "output");
  }
}
