package io.compactor.core.kafka;

import io.compactor.core.artifact.ArtifactStores;
import io.compactor.core.job.Cancellation;
import io.compactor.core.job.JobBoard;
import io.compactor.core.job.JobEvent;
import io.compactor.core.job.JobExecutor;
import io.compactor.core.job.JobMessages;
import io.compactor.core.job.JobRecord;
import io.compactor.core.job.JobRequest;
import io.compactor.core.job.OutputStore;
import io.compactor.core.logging.JobLog;
import io.compactor.core.metrics.JobMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes job requests from the jobs topic in a consumer group and runs them, at least once and
 * never twice to completion:
 * <ul>
 *   <li>one poll thread owns the consumer; jobs run on a pool of {@code concurrency} workers;
 *   <li>a job's partition stays paused while it runs, and polling continues, so a long job never
 *       exceeds {@code max.poll.interval.ms}; its offset is committed after its terminal event;
 *   <li>every instance reads the compacted state topic into a {@link JobStateView}; a running job renews
 *       its lease there; when a rebalance moves its partition, the new owner waits for the job's end instead
 *       of computing it again, and redoes it only if the lease lapses (the instance died or froze);
 *   <li>each run is a fenced {@link Attempt} ({@link JobWorker}): a zombie can publish no second terminal
 *       event and its outputs never replace the winner's;
 *   <li>a new request for a job id whose outputs are complete is answered from them; a record delivered
 *       again after its job ended is only committed; a job id reused with a different request is refused
 *       ({@link Admission} decides what each record gets);
 *   <li>unreadable records go to the dead-letter topic; readable but invalid ones end as
 *       {@code failed} events; a record whose terminal event Kafka refuses goes to the dead-letter
 *       topic too ({@link TerminalDelivery}), so no record is redelivered forever.
 * </ul>
 */
public final class Coordinator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Coordinator.class);
  // short: after a job ends, its commit and the resume of its partition wait for the current poll to return
  private static final Duration POLL = Duration.ofMillis(50);
  /** How often the backlog gauge asks the broker for end and committed offsets. */
  private static final Duration BACKLOG_INTERVAL = Duration.ofSeconds(2);
  /** How long the first read of the state topic may take. */
  private static final Duration STATE_LOAD = Duration.ofMinutes(2);
  private final CoordinatorSettings settings;
  private final JobMetrics metrics;
  private final JobStateView view;
  private final Admission admission;
  private final KafkaProducer<String, byte[]> producer;
  private final DeadLetters deadLetters;
  private final JobWorker worker;
  private final TerminalDelivery delivery;
  private final KafkaConsumer<String, byte[]> consumer;
  private final BacklogGauge backlog;
  private final CancelListener cancels;
  private final List<KafkaClientMetrics> clientMetrics;
  private final ExecutorService workers;
  private final ScheduledExecutorService leaseRenewal;
  private final Map<TopicPartition, RunningJob> running = new ConcurrentHashMap<>();
  private final Map<TopicPartition, ConsumerRecord<String, byte[]>> waiting = new HashMap<>();
  private final BlockingQueue<RunningJob> ended = new LinkedBlockingQueue<>();
  private final PendingCommits commits = new PendingCommits();
  private final Thread pollThread;
  private final CountDownLatch pollStopped = new CountDownLatch(1);
  private volatile Set<TopicPartition> assigned = Set.of();
  private volatile boolean stopping;
  private volatile boolean crashing;
  private volatile long lastPollNanos = System.nanoTime();

  /**
   * A coordinator whose jobs write their outputs to local directories only.
   *
   * @param settings connection and runtime settings
   * @param executor runs one job
   * @param registry where job and Kafka client metrics go
   * @param board where the last event of each job is kept for {@code /jobs/{id}}; backed by the state topic,
   *     so it answers for jobs run on any instance
   */
  public Coordinator(CoordinatorSettings settings, JobExecutor executor, MeterRegistry registry, JobBoard board) {
    this(settings, executor, ArtifactStores.localOnly(), registry, board);
  }

  /**
   * @param settings connection and runtime settings
   * @param executor runs one job
   * @param outputs the store of the jobs' outputs, where each attempt stages its outputs and saves its steps
   *     and the winner's are promoted (local directories and {@code s3://} prefixes alike)
   * @param registry where job and Kafka client metrics go
   * @param board where the last event of each job is kept for {@code /jobs/{id}}
   */
  public Coordinator(CoordinatorSettings settings, JobExecutor executor, OutputStore outputs, MeterRegistry registry,
      JobBoard board) {
    this.settings = settings;
    this.metrics = new JobMetrics(registry);
    this.view = new JobStateView(KafkaClients.cancelListener(settings), settings.topics().state(),
        settings.instanceId());
    board.backedBy(id -> view.find(id).map(JobRecord::lastEvent));
    this.admission = new Admission(settings.roots(), outputs);
    this.producer = KafkaClients.producer(settings);
    String source = "/compactor/" + settings.instanceId();
    this.deadLetters = new DeadLetters(producer, settings.topics().deadLetters(), settings.groupId(),
        settings.instanceId());
    this.delivery = new TerminalDelivery(board.recording(new EventPublisher(producer, settings.topics().events(),
        source)), deadLetters, metrics, Duration.ZERO);
    this.consumer = KafkaClients.groupConsumer(settings);
    this.backlog = new BacklogGauge(consumer, metrics, BACKLOG_INTERVAL);
    this.cancels = new CancelListener(KafkaClients.cancelListener(settings), settings.topics().jobs(),
        settings.instanceId(), this::cancelRunning);
    this.clientMetrics = List.of(new KafkaClientMetrics(consumer), new KafkaClientMetrics(producer));
    clientMetrics.forEach(m -> m.bindTo(registry));
    this.workers = Executors.newFixedThreadPool(settings.concurrency(), r -> daemon(r, "compactor-job"));
    // a thread per job slot: one attempt's renewal stuck on its transaction coordinator holds up no other
    this.leaseRenewal = Executors.newScheduledThreadPool(settings.concurrency(), r -> daemon(r, "compactor-lease"));
    this.worker = new JobWorker(settings, executor, outputs, metrics, board, board.recording(
        new EventPublisher(producer, settings.topics().events(), source)), producer::flush, deadLetters, view,
        leaseRenewal);
    this.pollThread = new Thread(this::pollLoop, "compactor-poll");
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /** Reads the job state, starts watching for cancels, then joins the group and starts polling. */
  public void start() {
    view.start(STATE_LOAD);
    cancels.start();
    consumer.subscribe(List.of(settings.topics().jobs()), new Rebalance());
    pollThread.start();
    LOG.info("coordinator {} consuming {} in group {} ({} jobs at once)", settings.instanceId(),
        settings.topics().jobs(), settings.groupId(), settings.concurrency());
  }

  /** @return the partitions of the jobs topic this instance owns now; empty until it has joined the group */
  public Set<TopicPartition> assignedPartitions() {
    return assigned;
  }

  /** @return jobs running on this instance now */
  public int runningJobs() {
    return running.size();
  }

  private void pollLoop() {
    try {
      while (!stopping) {
        lastPollNanos = System.nanoTime();
        try {
          commitEnded();
          startWaitingJobsWhoseLeaseLapsed();
          commits.flush(consumer);
          updatePauses();
          backlog.maybeMeasure();
        } catch (RetriableException e) {
          // e.g. the broker coordinating the group died mid-commit: pending commits stay, tried next round
          LOG.warn("coordinator {}: Kafka not reachable right now, retrying: {}", settings.instanceId(), e.toString());
        }
        for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
          try (var job = r.key() == null ? null : JobLog.scope(r.key())) {
            handle(r);
          } catch (WakeupException e) {
            throw e;
          } catch (RuntimeException e) {
            // e.g. Kafka or the state directory unavailable: retry the record on a later poll
            LOG.error("record {}-{}@{} could not be handled, retrying: {}", r.topic(), r.partition(), r.offset(),
                e.toString());
            consumer.seek(new TopicPartition(r.topic(), r.partition()), r.offset());
          }
        }
      }
    } catch (WakeupException e) {
      // stopping
    } catch (RuntimeException e) {
      LOG.error("coordinator {}: the poll loop failed; the instance stops consuming: {}", settings.instanceId(), e, e);
    } finally {
      try {
        if (!crashing) {
          commitEnded();
          commits.flush(consumer);
        }
        consumer.close(CloseOptions.timeout(Duration.ofSeconds(10)).withGroupMembershipOperation(crashing
            ? CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP : CloseOptions.GroupMembershipOperation.DEFAULT));
      } finally {
        pollStopped.countDown();
      }
    }
  }

  /**
   * @return how long ago the poll loop last went round, for the liveness check; empty once the loop has ended
   */
  public Optional<Duration> sinceLastPoll() {
    return pollStopped.getCount() == 0 ? Optional.empty()
        : Optional.of(Duration.ofNanos(System.nanoTime() - lastPollNanos));
  }

  private void handle(ConsumerRecord<String, byte[]> r) {
    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
    JobMessages.Message m = JobMessages.read(r.value(), r.key());
    Admission.JobState state = m instanceof JobMessages.Submit s ? state(s.request().jobId(), r) : Admission.JobState.NEW;
    Admission.Decision decision = admission.admit(m, RunningJob.source(r), state);
    if (decision instanceof Admission.Run run) {
      run(r, tp, run, state);
      return;
    }
    if (decision instanceof Admission.Wait w) {
      LOG.info("job {} is still running under a lease; waiting for its end instead of computing it again", w.jobId());
      waiting.put(tp, r);
      return;
    }
    if (decision instanceof Admission.Replay replay) {
      metrics.finished(delivery.deliver(replay.event(), r, 1), null, true);
    } else if (decision instanceof Admission.Refuse refuse) {
      LOG.warn("job {} refused: {}", refuse.failed().jobId(), refuse.failed().data().get("reason"));
      metrics.finished(delivery.deliver(refuse.failed(), r, 1), null, false);
    } else if (decision instanceof Admission.DeadLetter dead) {
      LOG.warn("dead-lettering {}@{}: {}", tp, r.offset(), dead.reason());
      deadLetters.send(r, dead.reason());
      metrics.deadLettered();
    }
    commits.add(tp, r.offset());
  }

  /** @return what the state topic, the leases, this instance and the cancel listener know of a job's record */
  private Admission.JobState state(String jobId, ConsumerRecord<String, byte[]> r) {
    return new Admission.JobState(view.find(jobId), view.leasedByAnother(jobId, settings.instanceId(),
        settings.leaseTtl()), running.containsKey(new TopicPartition(r.topic(), r.partition())),
        cancels.isCancelled(jobId, r.partition(), r.offset()));
  }

  private void run(ConsumerRecord<String, byte[]> r, TopicPartition tp, Admission.Run decision,
      Admission.JobState state) {
    RunningJob job = new RunningJob(tp, r, decision.request(), new Cancellation(), Instant.now(),
        state.known().map(JobRecord::attempt), state.known().flatMap(JobRecord::terminal).isPresent());
    if (decision.cancelled()) {
      job.cancellation.cancel();
    }
    running.put(tp, job);
    if (cancels.isCancelled(decision.request().jobId(), r.partition(), r.offset())) {
      job.cancellation.cancel(); // seen between the admission's look and the put: the listener missed the job
    }
    workers.execute(() -> worker.work(job, ended::add));
  }

  private void commitEnded() {
    RunningJob job;
    while ((job = ended.poll()) != null) {
      running.remove(job.partition, job);
      if (!consumer.assignment().contains(job.partition)) {
        continue; // moved to another instance, which waits for the job's lease and commits
      }
      if (job.delivered) {
        commits.add(job.partition, job.offset);
      } else if (!crashing) {
        consumer.seek(job.partition, job.offset);
      }
    }
  }

  private void startWaitingJobsWhoseLeaseLapsed() {
    for (var it = waiting.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      if (running.containsKey(e.getKey())) {
        continue;
      }
      ConsumerRecord<String, byte[]> r = e.getValue();
      if (!consumer.assignment().contains(e.getKey())) {
        it.remove();
        continue;
      }
      JobRequest request = ((JobMessages.Submit) JobMessages.read(r.value(), r.key())).request();
      Admission.JobState state = state(request.jobId(), r);
      Admission.Decision decision = admission.recheck(request, state);
      if (decision instanceof Admission.Commit) {
        it.remove();
        commits.add(e.getKey(), r.offset());
      } else if (decision instanceof Admission.Run run) {
        it.remove();
        LOG.info("job {}: the lease of the instance running it lapsed; running it here", request.jobId());
        run(r, e.getKey(), run, state);
      }
    }
  }

  private void updatePauses() {
    Set<TopicPartition> assigned = consumer.assignment();
    Set<TopicPartition> pause = new HashSet<>();
    if (running.size() >= settings.concurrency()) {
      pause.addAll(assigned);
    } else {
      running.keySet().stream().filter(assigned::contains).forEach(pause::add);
      waiting.keySet().stream().filter(assigned::contains).forEach(pause::add);
    }
    Set<TopicPartition> resume = new HashSet<>(assigned);
    resume.removeAll(pause);
    consumer.pause(pause);
    consumer.resume(resume);
  }

  private void cancelRunning(CancelListener.Seen cancel) {
    running.values().stream().filter(j -> j.request.jobId().equals(cancel.jobId())
        && cancel.covers(j.record.partition(), j.offset)).forEach(j -> j.cancellation.cancel());
  }

  /** Leaves the group after the poll loop ends; running jobs are given up and redone by another instance. */
  @Override
  public void close() {
    stop(false);
  }

  /**
   * Stops like a killed process would: no more events, no commits, no leaving the group, leases left to
   * lapse. For the failover tests of this package; not part of the API.
   */
  void crash() {
    stop(true);
  }

  private void stop(boolean crash) {
    crashing = crash;
    running.values().forEach(j -> {
      j.abandoned = true;
      j.cancellation.cancel();
      if (j.lease != null) {
        j.lease.cancel(false);
      }
    });
    stopping = true;
    consumer.wakeup();
    try {
      pollStopped.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // cancelled jobs end on their own at their next checkpoint; a finished one may still be closing its
    // attempt's producer, which an interrupt would break off with an error
    workers.shutdown();
    try {
      if (crash || !workers.awaitTermination(10, TimeUnit.SECONDS)) {
        workers.shutdownNow();
      }
    } catch (InterruptedException e) {
      workers.shutdownNow();
      Thread.currentThread().interrupt();
    }
    leaseRenewal.shutdownNow();
    if (!crash) {
      running.values().forEach(this::release);
    }
    cancels.close();
    view.close();
    clientMetrics.forEach(KafkaClientMetrics::close);
    producer.close(Duration.ofSeconds(10));
    LOG.info("coordinator {} stopped{}", settings.instanceId(), crash ? " (crash)" : "");
  }

  /** Gives a job up so the instance its partition moves to runs it at once instead of waiting for the lease. */
  private void release(RunningJob job) {
    Attempt attempt = job.attempt;
    JobEvent last = job.lastEvent;
    if (attempt == null || last == null || job.delivered) { // a delivered job is answered: nothing to release
      return;
    }
    try {
      attempt.write(new JobRecord(job.request, job.source(), attempt.id(), settings.instanceId(), last).released(),
          false);
    } catch (RuntimeException e) {
      LOG.warn("job {}: lease not released, it lapses instead: {}", job.request.jobId(), e.toString());
    }
  }

  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      commitEnded();
      commits.flush(consumer);
      partitions.forEach(waiting::remove);
      assigned = Set.copyOf(consumer.assignment().stream().filter(tp -> !partitions.contains(tp)).toList());
      for (TopicPartition tp : partitions) {
        RunningJob job = running.get(tp);
        if (job == null) {
          continue;
        }
        if (job.moveAway()) {
          LOG.info("partition {} moved away while job {} runs here; it finishes here under its lease", tp,
              job.request.jobId());
        } else {
          LOG.info("partition {} moved away before job {} started here; its new owner runs it", tp,
              job.request.jobId());
        }
      }
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      LOG.debug("assigned {}", partitions);
      assigned = Set.copyOf(consumer.assignment());
    }
  }
}
