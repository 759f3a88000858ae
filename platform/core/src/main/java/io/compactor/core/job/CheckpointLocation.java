package io.compactor.core.job;

import java.util.Objects;

/**
 * Where a job's finished steps are saved for a later attempt of the job, on any instance, to resume from:
 * beside the job's outputs ({@code <output>/.checkpoints}), in the store that keeps them.
 *
 * @param store the store of the job's outputs
 * @param location the directory or key prefix of the saved steps
 */
public record CheckpointLocation(OutputStore store, String location) {
  public CheckpointLocation {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(location, "location");
  }

  /** @return the location of the saved file {@code name} */
  public String file(String name) {
    return AttemptOutputs.child(location, name);
  }
}
