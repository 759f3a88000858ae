package io.compactor.core.metrics;

import io.compactor.core.job.EventType;
import io.compactor.core.job.JobEvent;
import io.compactor.core.job.JobRequest;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Job meters. Tags are bounded: kind (compress, tune), outcome (completed, failed, cancelled, replayed,
 * dead_lettered) and, for failures, the stage from the failed event's schema. Never job ids, paths or layer names.
 */
public final class JobMetrics {
  /** Counter of jobs that ended, by outcome and stage. */
  public static final String FINISHED = "compactor.jobs.finished";
  /** Wall time of jobs from acceptance to their terminal event, by outcome. */
  public static final String DURATION = "compactor.job.duration";
  /** Jobs running now (a long task timer: count and age of the oldest). */
  public static final String ACTIVE = "compactor.jobs.active";
  /** Size of the original model divided by the size of the deploy model, per completed job. */
  public static final String COMPRESSION_RATIO = "compactor.job.compression.ratio";
  /** Mean cosine similarity of the compressed model's outputs to the original's, per completed job. */
  public static final String FIDELITY = "compactor.job.fidelity.cosine";
  /** Top-1 accuracy of the compressed model minus the original's, in points, per completed job with labels. */
  public static final String ACCURACY_DELTA = "compactor.job.accuracy.delta";
  /**
   * Records of the jobs topic on this instance's partitions after their committed offsets: jobs queued,
   * waiting or running here (and cancel requests). Exact even while a partition is paused for its job.
   */
  public static final String BACKLOG = "compactor.jobs.backlog";
  private final MeterRegistry registry;
  private final LongTaskTimer active;
  private final AtomicLong backlog = new AtomicLong();

  /** @param registry where the meters are registered */
  public JobMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.active = LongTaskTimer.builder(ACTIVE).description("Jobs running on this instance").register(registry);
    Gauge.builder(BACKLOG, backlog, AtomicLong::get)
        .description("Records of the jobs topic not yet committed on this instance's partitions").register(registry);
    for (JobRequest.Kind kind : JobRequest.Kind.values()) {
      for (String outcome : new String[] {"completed", "failed", "cancelled", "replayed", "dead_lettered"}) {
        counter(kind.id(), outcome, "none");
      }
    }
  }

  /** Starts timing a running job; stop the returned sample when it ends. */
  public LongTaskTimer.Sample started() {
    return active.start();
  }

  /** @param records the backlog now, see {@link #BACKLOG} */
  public void backlog(long records) {
    backlog.set(records);
  }

  /** Counts a record sent to the dead-letter topic. */
  public void deadLettered() {
    counter(JobRequest.Kind.COMPRESS.id(), "dead_lettered", "request").increment(); // unread: kind unknown
  }

  /**
   * Counts a job's terminal event and records its quality figures.
   *
   * @param terminal the terminal event
   * @param took time since the job was accepted, or {@code null} when it never ran
   * @param replayed whether it was answered from existing outputs
   */
  public void finished(JobEvent terminal, Duration took, boolean replayed) {
    String outcome = replayed ? "replayed" : switch (terminal.type()) {
      case COMPLETED -> "completed";
      case CANCELLED -> "cancelled";
      default -> "failed";
    };
    String stage = terminal.type() == EventType.FAILED ? String.valueOf(terminal.data().getOrDefault("stage", "internal"))
        : "none";
    String kind = terminal.kind().id();
    counter(kind, outcome, stage).increment();
    if (took != null) {
      Timer.builder(DURATION).description("Wall time of a job from acceptance to its end")
          .tag("kind", kind).tag("outcome", outcome).publishPercentileHistogram()
          .minimumExpectedValue(Duration.ofMillis(100)).maximumExpectedValue(Duration.ofHours(2))
          .register(registry).record(took);
    }
    if (terminal.type() == EventType.COMPLETED && !replayed && terminal.data().get("summary") instanceof Map<?, ?> s) {
      record(COMPRESSION_RATIO, "Original model size / deploy model size", s.get("compressionRatio"));
      record(FIDELITY, "Mean cosine similarity to the original model's outputs", s.get("meanCosine"));
      record(ACCURACY_DELTA, "Top-1 accuracy change in points", s.get("accuracyDelta"));
    }
  }

  private void record(String name, String description, Object value) {
    if (value instanceof Number n) {
      DistributionSummary.builder(name).description(description).register(registry).record(n.doubleValue());
    }
  }

  private Counter counter(String kind, String outcome, String stage) {
    return Counter.builder(FINISHED).description("Jobs that ended, by kind and outcome")
        .tag("kind", kind).tag("outcome", outcome).tag("stage", stage).register(registry);
  }
}
