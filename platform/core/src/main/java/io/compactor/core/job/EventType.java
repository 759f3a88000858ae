package io.compactor.core.job;

import java.util.Arrays;
import java.util.Optional;

/** The job events on {@code compactor.events}; each has a JSON Schema {@code schemas/events/<id>.schema.json}. */
public enum EventType {
  ACCEPTED("accepted", false),
  PLANNED("planned", false),
  STEP_STARTED("step.started", false),
  STEP_PROGRESS("step.progress", false),
  STEP_COMPLETED("step.completed", false),
  /** A tune job's progress: phase, counts, the best candidate so far. */
  TUNE_PROGRESS("tune.progress", false),
  COMPLETED("completed", true),
  FAILED("failed", true),
  CANCELLED("cancelled", true);

  /** Prefix of the CloudEvents {@code type} attribute. */
  public static final String CE_TYPE_PREFIX = "io.compactor.job.";
  private final String id;
  private final boolean terminal;

  EventType(String id, boolean terminal) {
    this.id = id;
    this.terminal = terminal;
  }

  /** @return the short name, e.g. {@code step.progress} */
  public String id() {
    return id;
  }

  /** @return the CloudEvents type, e.g. {@code io.compactor.job.step.progress} */
  public String ceType() {
    return CE_TYPE_PREFIX + id;
  }

  /** @return whether the job ends with this event */
  public boolean terminal() {
    return terminal;
  }

  /** @return the event type of a CloudEvents type or short name */
  public static Optional<EventType> of(String typeOrId) {
    String id = typeOrId.startsWith(CE_TYPE_PREFIX) ? typeOrId.substring(CE_TYPE_PREFIX.length()) : typeOrId;
    return Arrays.stream(values()).filter(t -> t.id.equals(id)).findFirst();
  }
}
