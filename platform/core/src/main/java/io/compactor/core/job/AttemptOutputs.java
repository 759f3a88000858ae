package io.compactor.core.job;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Where one attempt of a job writes, so that files and objects, which cannot fence themselves, never decide
 * which attempt's results count: every attempt writes under {@code <output>/.attempts/<attempt>/}; only the
 * attempt whose terminal event won the fenced write moves its outputs into {@code <output>}, a losing one
 * deletes its own. Saved step results for resuming live in {@code <output>/.checkpoints/}, shared by the
 * attempts. The same for a local directory and an {@code s3://} prefix: the work is done through the
 * {@link OutputStore}.
 */
public final class AttemptOutputs {
  /** The directory (key prefix) of the attempts' staged outputs, inside the output. */
  public static final String ATTEMPTS = ".attempts";
  /** The directory (key prefix) of saved step results, inside the output. */
  public static final String CHECKPOINTS = ".checkpoints";

  private final OutputStore store;
  private final String output;
  private final String staged;

  /**
   * @param store the store the outputs are kept in
   * @param output the request's output directory or {@code s3://} prefix
   * @param attempt the attempt's id
   */
  public AttemptOutputs(OutputStore store, String output, String attempt) {
    this.store = Objects.requireNonNull(store, "store");
    this.output = S3Location.isS3(output) ? S3Location.parse("output", output).toString()
        : ArtifactRoots.resolve("output", output).toString();
    this.staged = child(child(this.output, ATTEMPTS), attempt);
  }

  /** @return the directory or prefix the attempt writes its outputs to */
  public String staged() {
    return staged;
  }

  /** @return where the job's step results are saved, for this attempt and every later one */
  public CheckpointLocation checkpoints() {
    return new CheckpointLocation(store, child(output, CHECKPOINTS));
  }

  /**
   * @param terminal the attempt's terminal event
   * @return the event naming the outputs where they will be once promoted
   */
  public JobEvent renamed(JobEvent terminal) {
    if (!(terminal.data().get("outputs") instanceof Map<?, ?> outputs)) {
      return terminal;
    }
    String from = staged + "/";
    Map<String, Object> renamed = new LinkedHashMap<>();
    outputs.forEach((k, v) -> {
      String s = String.valueOf(v);
      renamed.put(String.valueOf(k), s.startsWith(from) ? child(output, s.substring(from.length())) : v);
    });
    Map<String, Object> data = new LinkedHashMap<>(terminal.data());
    data.put("outputs", renamed);
    return new JobEvent(terminal.type(), terminal.jobId(), terminal.time(), data);
  }

  /**
   * Moves the winning attempt's outputs into the output (each replaced atomically where the store can), then
   * removes every attempt's staging and the saved step results, which the completed job no longer needs.
   */
  public void promote() {
    for (String name : store.list(staged)) {
      store.move(child(staged, name), child(output, name));
    }
    // every other attempt is fenced by now: their leftovers (a crashed one's) go too
    store.delete(child(output, ATTEMPTS));
    store.delete(child(output, CHECKPOINTS));
  }

  /** Deletes a losing (fenced or failed) attempt's outputs; the saved step results stay for the winner. */
  public void discard() {
    store.delete(staged);
    store.deleteIfEmpty(child(output, ATTEMPTS)); // another attempt's directory is left to its owner
  }

  /** @return the location {@code name} directly inside {@code parent}, path or {@code s3://} prefix alike */
  static String child(String parent, String name) {
    return parent.endsWith("/") ? parent + name : parent + "/" + name;
  }
}
