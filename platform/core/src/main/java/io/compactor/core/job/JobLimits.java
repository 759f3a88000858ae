package io.compactor.core.job;

/**
 * The size limits of the Kafka contract (documented in {@code docs/events.md}). Requests are bounded at
 * the edge and every event the platform writes is bounded by construction, so no record can grow past
 * the producer's {@code max.request.size} or a topic's {@code max.message.bytes} (both 1 MB by default)
 * and wedge a partition in a redelivery loop.
 */
public final class JobLimits {
  /** Largest value of a record on {@code compactor.jobs} (a job or cancel request), in bytes. */
  public static final int MAX_REQUEST_BYTES = 64 * 1024;
  /** Longest job id, in characters (the id is a Kafka key, a file name and a log field). */
  public static final int MAX_JOB_ID_CHARS = 128;
  /** Longest path or {@code file:} URI of a request field, in characters (Linux's {@code PATH_MAX}). */
  public static final int MAX_PATH_CHARS = 4096;
  /** Longest string inside an event (error messages, echoed paths, layer names); longer ones are cut. */
  public static final int MAX_EVENT_STRING_CHARS = 8192;
  /** Largest serialized event body, in bytes; larger bodies lose their bulkiest parts (marked). */
  public static final int MAX_EVENT_BYTES = 256 * 1024;
  /** Largest original value copied into a dead letter, in bytes; the rest is cut (and the size noted). */
  public static final int MAX_DEAD_LETTER_VALUE_BYTES = MAX_REQUEST_BYTES;

  private JobLimits() {}

  /**
   * @param s any text
   * @param max the most characters to keep
   * @return {@code s} when short enough, else its start and a marker saying how much was cut
   */
  public static String cut(String s, int max) {
    if (s.length() <= max) {
      return s;
    }
    String marker = "…[cut: " + s.length() + " characters in all]";
    int keep = Math.max(0, max - marker.length());
    if (keep > 0 && Character.isHighSurrogate(s.charAt(keep - 1))) {
      keep--; // never split a surrogate pair
    }
    return s.substring(0, keep) + marker;
  }
}
