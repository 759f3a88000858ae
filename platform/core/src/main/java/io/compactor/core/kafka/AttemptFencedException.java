package io.compactor.core.kafka;

import io.compactor.api.CompactorException;

/**
 * A newer attempt of the job was opened (another instance took it over while this one was paused or cut
 * off): this attempt may publish nothing more and its staged outputs are discarded.
 */
final class AttemptFencedException extends CompactorException {
  private static final long serialVersionUID = 1L;

  AttemptFencedException(String jobId, String attempt, Throwable cause) {
    super("job " + jobId + ": attempt " + attempt + " was fenced by a newer attempt of the job; its results are "
        + "discarded", cause);
  }
}
