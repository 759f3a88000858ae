package io.compactor.api;

/** The job was cancelled; thrown between layers by {@link StepContext#throwIfCancelled()}. */
public class StepCancelledException extends CompactorException {
  private static final long serialVersionUID = 1L;

  /** @param jobId the cancelled job */
  public StepCancelledException(String jobId) {
    super("job " + jobId + " was cancelled");
  }
}
