package io.compactor.core.job;

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
   * @return the terminal event: {@code completed}, {@code failed} or {@code cancelled}; never throws for
   *     a job's own failure
   */
  JobEvent execute(JobRequest request, EventSink events, Cancellation cancellation);

  /**
   * Runs the job as {@link #execute(JobRequest, EventSink, Cancellation)} does, saving each finished step at
   * {@code checkpoints} and resuming after the steps a previous attempt of the job saved there. Executors that
   * save no steps just run the job.
   *
   * @param checkpoints where the job's steps are saved, beside its outputs, for every attempt of the job
   */
  default JobEvent execute(JobRequest request, EventSink events, Cancellation cancellation,
      CheckpointLocation checkpoints) {
    return execute(request, events, cancellation);
  }
}
