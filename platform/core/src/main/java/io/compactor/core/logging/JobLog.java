package io.compactor.core.logging;

import org.slf4j.MDC;

/** The job id in the MDC of the thread doing a job's work, so every log line of the job names it. */
public final class JobLog {
  /** The MDC key; the text layout prints it as {@code [job <id>]}, the JSON layout as field {@code jobId}. */
  public static final String MDC_KEY = "jobId";

  private JobLog() {}

  /**
   * @param jobId the job this thread now works on
   * @return closing it removes the job id from this thread's MDC
   */
  public static MDC.MDCCloseable scope(String jobId) {
    return MDC.putCloseable(MDC_KEY, jobId);
  }
}
