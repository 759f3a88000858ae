package io.compactor.core.kafka;

import io.compactor.core.job.AttemptOutputs;
import io.compactor.core.job.EventSink;
import io.compactor.core.job.EventType;
import io.compactor.core.job.InvalidRequestException;
import io.compactor.core.job.JobBoard;
import io.compactor.core.job.JobEvent;
import io.compactor.core.job.JobExecutor;
import io.compactor.core.job.JobMessages;
import io.compactor.core.job.JobRecord;
import io.compactor.core.job.OutputStore;
import io.compactor.core.logging.JobLog;
import io.compactor.core.metrics.JobMetrics;
import io.micrometer.core.instrument.LongTaskTimer;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs one admitted job on a worker thread as a fenced {@link Attempt}: leaves the job to another instance
 * that runs it under a lease, opens the attempt (fencing every earlier one of the job), gives up if an earlier
 * attempt ended meanwhile, writes {@code accepted} with the job's state record unless the job's partition
 * moved away meanwhile ({@link RunningJob#start}), renews the lease while the job runs, runs it into the
 * attempt's own output directory or prefix ({@link AttemptOutputs}; its steps saved beside the outputs for a
 * later attempt to resume from). A completed job is then recorded as decided (fenced), its outputs moved into
 * place, locally or in the object store alike, and only then its completed event published with the state
 * record, in one transaction; other terminal events are published at once. A fenced attempt publishes nothing
 * more and deletes its outputs; an attempt that finds the job decided by one it fenced finishes that one's
 * promotion and publishes its event.
 */
final class JobWorker {
  private static final Logger LOG = LoggerFactory.getLogger(JobWorker.class);
  /** A worker tries a terminal event this often (waiting 1 s, then 2 s) before dead-lettering its record. */
  private static final int TERMINAL_ATTEMPTS = 3;
  private static final Duration TERMINAL_BACKOFF = Duration.ofSeconds(1);
  /** How long the state view may take to catch up after an attempt fenced its predecessors. */
  private static final Duration SYNC = Duration.ofSeconds(30);
  private final CoordinatorSettings settings;
  private final JobExecutor executor;
  private final OutputStore outputs;
  private final JobMetrics metrics;
  private final JobBoard board;
  private final EventSink progress;
  private final Runnable flushProgress;
  private final DeadLetters deadLetters;
  private final JobStateView view;
  private final ScheduledExecutorService leaseRenewal;

  /**
   * @param outputs the store of the jobs' outputs (local directories, {@code s3://} prefixes), where attempts are
   *     staged, promoted and their steps saved
   * @param progress where a job's non-terminal events go (not fenced: a zombie's progress stops at its next
   *     lease renewal)
   * @param flushProgress waits until the progress events sent so far are written, so the terminal event,
   *     written by another producer, comes after them
   */
  JobWorker(CoordinatorSettings settings, JobExecutor executor, OutputStore outputs, JobMetrics metrics,
      JobBoard board, EventSink progress, Runnable flushProgress, DeadLetters deadLetters, JobStateView view,
      ScheduledExecutorService leaseRenewal) {
    this.settings = settings;
    this.executor = executor;
    this.outputs = outputs;
    this.metrics = metrics;
    this.board = board;
    this.progress = progress;
    this.flushProgress = flushProgress;
    this.deadLetters = deadLetters;
    this.view = view;
    this.leaseRenewal = leaseRenewal;
  }

  /**
   * @param job the job, admitted to run
   * @param ended told when the worker is done with the job, delivered or not
   */
  void work(RunningJob job, Consumer<RunningJob> ended) {
    String jobId = job.request.jobId();
    MDC.put(JobLog.MDC_KEY, jobId);
    LongTaskTimer.Sample active = metrics.started();
    AttemptOutputs attemptOutputs = null;
    boolean decided = false;
    try {
      // the admission read a view that may lag: a run another instance started before this one got the
      // partition shows its lease once the view is read to its end, and opening an attempt would fence it
      view.sync(SYNC);
      if (view.leasedByAnother(jobId, settings.instanceId(), settings.leaseTtl())) {
        LOG.info("job {} runs on {} under a lease; waiting for its end instead of computing it again", jobId,
            view.find(jobId).map(JobRecord::instance).orElse("?"));
        return; // not delivered: the record is read again and waits for the lease
      }
      Attempt attempt = Attempt.open(settings, jobId);
      job.attempt = attempt;
      view.sync(SYNC); // what the attempts it fenced wrote before
      var now = view.find(jobId);
      if (now.isPresent() && now.get().decided().isPresent()) {
        finishDecided(job, attempt, now.get());
        return;
      }
      if (now.isPresent() && now.get().terminal().isPresent() && (!job.knownAttempt.equals(
          now.map(JobRecord::attempt)) || !job.knownEnded)) {
        // an attempt this one fenced had just ended (another one, or the one taken over): the job is answered
        LOG.info("job {} ended on {} while this instance took it over; not running it again", jobId,
            now.get().instance());
        job.delivered = true;
        return;
      }
      attemptOutputs = new AttemptOutputs(outputs, job.request.output(), attempt.id());
      JobEvent accepted = JobEvent.of(EventType.ACCEPTED, jobId, Map.of("request", JobMessages.toMap(job.request),
          "instance", settings.instanceId()));
      boolean started = job.start(() -> {
        attempt.write(new JobRecord(job.request, job.source(), attempt.id(), settings.instanceId(), accepted), true);
        board.record(accepted);
        job.lastEvent = accepted;
        job.lease = renewals(job, attempt);
      });
      if (!started) {
        LOG.info("job {}: its partition moved away before it started; the new owner runs it", jobId);
        return;
      }
      JobEvent terminal = attemptOutputs.renamed(execute(job, attemptOutputs));
      if (!job.abandoned) {
        flushProgress.run();
        // a completed job wins first (fenced), then its outputs are moved into place, then it is announced:
        // whoever sees the completed event finds the outputs there
        decided = terminal.type() == EventType.COMPLETED && decide(attempt, terminal);
        if (decided) {
          promote(jobId, attemptOutputs);
        }
        JobEvent end = deliver(job, attempt, terminal);
        if (end.type() == EventType.COMPLETED && !decided) {
          promote(jobId, attemptOutputs);
        } else if (end.type() != EventType.COMPLETED) {
          discard(jobId, attemptOutputs);
        }
      } else {
        discard(jobId, attemptOutputs); // given up or fenced: another attempt owns the job
      }
    } catch (AttemptFencedException e) {
      job.abandoned = true;
      LOG.warn("{}", e.getMessage());
      if (attemptOutputs != null && !decided) { // a decided attempt's outputs are the job's, promoted or not
        discard(jobId, attemptOutputs);
      }
    } catch (RuntimeException e) {
      LOG.warn("job {}: its terminal event was not delivered; the job will be redelivered: {}", jobId, e.toString());
    } finally {
      ScheduledFuture<?> lease = job.lease;
      if (lease != null) {
        lease.cancel(false);
      }
      if (job.attempt != null) {
        job.attempt.close();
      }
      active.stop();
      MDC.remove(JobLog.MDC_KEY);
      ended.accept(job);
    }
  }

  /**
   * Records this attempt as the job's winner before its outputs are moved into place.
   *
   * @return whether it was recorded; when Kafka failed otherwise than by fencing, the outputs are moved after
   *     the completed event instead (as a moment without them beats a job that cannot end)
   * @throws AttemptFencedException when a newer attempt of the job was opened
   */
  private static boolean decide(Attempt attempt, JobEvent completed) {
    try {
      attempt.decide(completed);
      return true;
    } catch (AttemptFencedException e) {
      throw e;
    } catch (RuntimeException e) {
      LOG.warn("job {}: not recorded as decided ({}); its outputs are moved into place after its completed event",
          completed.jobId(), e.toString());
      return false;
    }
  }

  /** Publishes the terminal event with the job's state record (dead-lettering the record if Kafka refuses it). */
  private JobEvent deliver(RunningJob job, Attempt attempt, JobEvent terminal) {
    TerminalDelivery delivery = new TerminalDelivery(e -> {
      attempt.advance(e, true);
      board.record(e);
    }, deadLetters, metrics, TERMINAL_BACKOFF);
    JobEvent end = delivery.deliver(terminal, job.record, TERMINAL_ATTEMPTS);
    job.delivered = true;
    metrics.finished(end, Duration.between(job.accepted, Instant.now()), false);
    return end;
  }

  /**
   * An attempt this one fenced had won the job but not announced it (its instance died or froze while moving
   * the outputs into place): finishes moving the winner's outputs, then publishes its completed event.
   */
  private void finishDecided(RunningJob job, Attempt attempt, JobRecord won) {
    String jobId = job.request.jobId();
    LOG.info("job {} was won by attempt {} on {}, which did not announce it; finishing its promotion here", jobId,
        won.attempt(), won.instance());
    promote(jobId, new AttemptOutputs(outputs, job.request.output(), won.attempt()));
    // the record names the winner's attempt, whose outputs count, run from here on by this instance
    attempt.write(new JobRecord(won.request(), job.source(), won.attempt(), settings.instanceId(), won.lastEvent(),
        won.decided()), false);
    deliver(job, attempt, won.decided().orElseThrow());
  }

  /** Moves the winner's outputs into place; the job is answered either way, so a failure here is only logged. */
  private static void promote(String jobId, AttemptOutputs attemptOutputs) {
    long start = System.nanoTime();
    try {
      attemptOutputs.promote();
      LOG.info("job {}: outputs moved into place from {} in {} ms", jobId, attemptOutputs.staged(),
          (System.nanoTime() - start) / 1_000_000);
    } catch (RuntimeException e) {
      // the completed event names outputs that are not there: a new request for the job id runs it again
      LOG.error("job {}: completed, but its outputs were not moved into place: {}", jobId, e.getMessage());
    }
  }

  /** Deletes a losing attempt's outputs; what is left behind costs space, never a wrong output, so it is logged. */
  private static void discard(String jobId, AttemptOutputs attemptOutputs) {
    try {
      attemptOutputs.discard();
    } catch (RuntimeException e) {
      LOG.warn("job {}: the staged outputs of this attempt, {}, were not deleted: {}", jobId,
          attemptOutputs.staged(), e.getMessage());
    }
  }

  private JobEvent execute(RunningJob job, AttemptOutputs attemptOutputs) {
    EventSink sink = e -> {
      if (!job.abandoned) {
        job.lastEvent = e;
        progress.publish(e);
      }
    };
    try {
      // the real paths checked right now are the ones the job uses
      return executor.execute(settings.roots().confine(job.request.withOutput(attemptOutputs.staged())), sink,
          job.cancellation, Optional.of(attemptOutputs.checkpoints()));
    } catch (InvalidRequestException e) {
      return Admission.failed(job.request.jobId(), "request", e.getMessage()); // a path changed since the check
    } catch (RuntimeException e) {
      LOG.error("job {} failed inside the platform", job.request.jobId(), e);
      return Admission.failed(job.request.jobId(), "internal", "internal error: " + e);
    }
  }

  /** Renews the job's lease (its state record, with its latest event) until the job ends or is fenced. */
  private ScheduledFuture<?> renewals(RunningJob job, Attempt attempt) {
    long period = Math.max(100, settings.leaseTtl().toMillis() / 3);
    return leaseRenewal.scheduleAtFixedRate(() -> {
      try (var log = JobLog.scope(job.request.jobId())) {
        try {
          if (!job.abandoned) {
            attempt.advance(job.lastEvent, false);
          }
        } catch (AttemptFencedException e) {
          // another instance took the job over while this one was paused or cut off: stop at the next layer
          LOG.warn("{}; stopping it", e.getMessage());
          job.abandoned = true;
          job.cancellation.cancel();
        } catch (RuntimeException e) {
          if (!job.lease.isCancelled()) { // else the job just ended and closed its attempt
            LOG.warn("job {}: lease not renewed: {}", job.request.jobId(), e.toString());
          }
        }
      }
    }, period, period, TimeUnit.MILLISECONDS);
  }
}
