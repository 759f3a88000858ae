package io.compactor.core.platform;

import io.compactor.core.job.Cancellation;
import io.compactor.core.job.CheckpointLocation;
import io.compactor.core.job.EventSink;
import io.compactor.core.job.JobEvent;
import io.compactor.core.job.JobExecutor;
import io.compactor.core.job.JobRequest;
import java.util.Optional;

/**
 * Runs each job on the executor of its kind: compression on the chain, tuning on the tuner. The checkpoint
 * location is handed on, so a compression taken over by another instance resumes after its saved steps.
 */
final class JobsByKind implements JobExecutor {
  private final JobExecutor compress;
  private final JobExecutor tune;

  JobsByKind(JobExecutor compress, JobExecutor tune) {
    this.compress = compress;
    this.tune = tune;
  }

  @Override
  public JobEvent execute(JobRequest request, EventSink events, Cancellation cancellation,
      Optional<CheckpointLocation> checkpoints) {
    return of(request).execute(request, events, cancellation, checkpoints);
  }

  private JobExecutor of(JobRequest request) {
    return request.kind() == JobRequest.Kind.TUNE ? tune : compress;
  }
}
