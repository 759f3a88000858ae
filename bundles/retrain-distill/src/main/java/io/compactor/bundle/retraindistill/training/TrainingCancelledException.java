package io.compactor.bundle.retraindistill.training;

/** The listener asked to stop (the job was cancelled); nothing trained is kept. */
public final class TrainingCancelledException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TrainingCancelledException(String message) {
    super(message);
  }
}
