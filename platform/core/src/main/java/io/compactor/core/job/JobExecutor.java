package io.compactor.core.job;

import java.util.Optional;

/**
 * Runs one job from request to outputs. Used in-process by {@code compress} and by the Kafka
 * coordinator.
 */
@FunctionalInterface
public interface JobExecutor {
  /**
   * @param request the job
   * @param events where its progress events go, in order ({@code planned}, {@code step.*}); the
   *     terminal event is returned, not published, so the caller decides when it is safely delivered
   * @param cancellation checked between layers
   * @param checkpoints where the job's finished steps are saved, beside its outputs, for every attempt of the
   *     job, and resumed from when a previous attempt saved some; empty where nothing could resume (a run
   *     in-process, a tuning candidate). Executors that save no steps ignore it.
   * @return the terminal event: {@code completed}, {@code failed} or {@code cancelled}; never throws for
   *     a job's own failure
   */
  JobEvent execute(JobRequest request, EventSink events, Cancellation cancellation,
      Optional<CheckpointLocation> checkpoints);

  /** Runs the job saving no steps. */
  default JobEvent execute(JobRequest request, EventSink events, Cancellation cancellation) {
    return execute(request, events, cancellation, Optional.empty());
  }
}
