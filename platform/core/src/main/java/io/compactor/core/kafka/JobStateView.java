package io.compactor.core.kafka;

import io.compactor.api.CompactorException;
import io.compactor.core.job.JobRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every job's latest record on the compacted state topic, read in full by each instance into memory (outside
 * any consumer group, {@code read_committed}, so a fenced attempt's writes are never seen). It answers what
 * the filesystem state directory used to: the request a job id was first run with, its terminal event for
 * replays, whether another instance still renews its lease, and {@code /jobs/{id}} on any instance.
 *
 * <p>Leases are judged on this instance's own monotonic clock, never by comparing two hosts' clocks, and only
 * over time in which the view is known to be complete: the view asks for the topic's end offsets every
 * {@link #CURRENCY_PROBE} and, once it has read up to them, knows it missed nothing written before it asked.
 * A job is silent for as long as that knowledge reaches past its latest record. So a view that falls behind
 * (a broker failing over the state topic's leader, a starved thread) sees no lease lapse that did not happen.
 */
public final class JobStateView implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(JobStateView.class);
  private static final Duration POLL = Duration.ofMillis(200);
  /** How often the view confirms it has read everything, which is what lets silence (and leases) count. */
  static final Duration CURRENCY_PROBE = Duration.ofMillis(500);
  /** How long one request for the end offsets may block the reading thread; it is asked again after. */
  private static final Duration END_OFFSETS_TIMEOUT = Duration.ofSeconds(2);
  private final KafkaConsumer<String, byte[]> consumer;
  private final String topic;
  private final Map<String, Seen> jobs = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<CompletableFuture<Void>> syncRequests = new ConcurrentLinkedQueue<>();
  private final Thread thread;
  private volatile boolean running = true;
  /** The view holds every record committed before this instant ({@link System#nanoTime}). */
  private volatile long completeAsOfNanos = System.nanoTime();

  /** A job's record and when (this JVM's {@link System#nanoTime}) it arrived. */
  private record Seen(JobRecord record, long arrivedNanos) {}

  /**
   * A sync in progress: the end offsets to reach, asked for at {@code askedNanos}; {@code done} is empty for
   * the view's own probes.
   */
  private record Target(Map<TopicPartition, Long> ends, long askedNanos, Optional<CompletableFuture<Void>> done) {}

  JobStateView(Properties common, String topic, String instance) {
    Properties p = new Properties();
    p.putAll(common);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, instance + "-state");
    p.remove(ConsumerConfig.GROUP_ID_CONFIG);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    // a sync waits for the fetch that carries the last commit marker: do not let the broker hold it long
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "50");
    this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    this.topic = topic;
    this.thread = new Thread(this::loop, "compactor-state");
    this.thread.setDaemon(true);
  }

  /**
   * Assigns every partition of the state topic from its beginning, starts reading and returns once
   * everything written before the call has been read.
   *
   * @param timeout how long the first read may take
   */
  void start(Duration timeout) {
    List<TopicPartition> parts = partitions(timeout);
    if (parts.isEmpty()) {
      throw new CompactorException("kafka: the state topic " + topic + " does not exist; the platform creates it "
          + "at start (or create it compacted, cleanup.policy=compact)");
    }
    consumer.assign(parts);
    consumer.seekToBeginning(parts);
    thread.start();
    sync(timeout);
    LOG.info("job state: {} jobs read from {}", jobs.size(), topic);
  }

  /** @return the topic's partitions; a topic created a moment ago may take a little while to be known */
  private List<TopicPartition> partitions(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
          .map(i -> new TopicPartition(topic, i.partition())).toList();
      if (!parts.isEmpty() || System.nanoTime() > deadline) {
        return parts;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return parts;
      }
    }
  }

  /**
   * Waits until every record committed to the state topic before this call has been read, so a decision
   * taken next sees it.
   *
   * @param timeout how long to wait
   * @throws CompactorException when the topic could not be read up to its end in time
   */
  void sync(Duration timeout) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    syncRequests.add(done);
    consumer.wakeup();
    try {
      done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CompactorException("job state: interrupted while reading " + topic, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new CompactorException("job state: " + topic + " not read up to its end within " + timeout.toMillis()
          + " ms (" + e + ")", e);
    }
  }

  /** @return the latest record of {@code jobId}, if the id was ever run */
  public Optional<JobRecord> find(String jobId) {
    return Optional.ofNullable(jobs.get(jobId)).map(Seen::record);
  }

  /**
   * @return for how long, on this instance's clock, the view is known to have received no newer record of
   *     {@code jobId} than its latest: from the latest record's arrival up to the last moment the view was
   *     confirmed complete (zero when it has not been confirmed since)
   */
  Optional<Duration> silence(String jobId) {
    long complete = completeAsOfNanos;
    return Optional.ofNullable(jobs.get(jobId)).map(s -> Duration.ofNanos(Math.max(0, complete - s.arrivedNanos)));
  }

  /**
   * @param jobId the job
   * @param self this instance's id
   * @param ttl how long a lease lasts without renewal
   * @return whether another instance runs the job under a lease that, as far as this view knows, has not
   *     lapsed (a lease of this instance whose job is not running here ended with its worker: lapsed)
   */
  boolean leasedByAnother(String jobId, String self, Duration ttl) {
    return find(jobId).filter(k -> k.terminal().isEmpty() && !k.instance().isEmpty() && !k.instance().equals(self))
        .isPresent() && silence(jobId).filter(d -> d.compareTo(ttl) < 0).isPresent();
  }

  private void loop() {
    List<Target> targets = new ArrayList<>();
    long lastProbe = System.nanoTime();
    try {
      while (running) {
        try {
          if (!syncRequests.isEmpty() || System.nanoTime() - lastProbe >= CURRENCY_PROBE.toNanos()) {
            lastProbe = System.nanoTime();
            askForEnds(targets, lastProbe);
          }
          targets.removeIf(this::reached); // usually the view is up to date already
          for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
            apply(r);
          }
          targets.removeIf(this::reached);
        } catch (WakeupException e) {
          // a sync request arrived, or closing
        }
      }
    } catch (RuntimeException e) {
      LOG.error("job state: reading {} stopped: {}", topic, e.toString(), e);
      targets.forEach(t -> t.done.ifPresent(d -> d.completeExceptionally(e)));
    } finally {
      syncRequests.forEach(f -> f.completeExceptionally(new CompactorException("job state: the view is closed")));
      consumer.close(Duration.ofSeconds(5));
    }
  }

  /**
   * Asks for the end offsets once, for the view's own probe and for every sync request waiting now (a request
   * that arrives during the call waits for the next, so it sees everything committed before it).
   */
  private void askForEnds(List<Target> targets, long asked) {
    List<CompletableFuture<Void>> requests = new ArrayList<>();
    for (CompletableFuture<Void> r; (r = syncRequests.poll()) != null; ) {
      requests.add(r);
    }
    Map<TopicPartition, Long> ends;
    try {
      // with read_committed these are the last stable offsets: open transactions are not waited for
      ends = consumer.endOffsets(consumer.assignment(), END_OFFSETS_TIMEOUT);
    } catch (WakeupException e) {
      syncRequests.addAll(requests); // woken by another sync request or by close: asked again next round
      throw e;
    } catch (RetriableException e) {
      // e.g. a leader of the topic failing over: the view is not confirmed complete until it is back
      LOG.debug("job state: end offsets of {} not known right now: {}", topic, e.toString());
      syncRequests.addAll(requests);
      return;
    }
    if (targets.stream().noneMatch(t -> t.done.isEmpty())) {
      targets.add(new Target(ends, asked, Optional.empty()));
    }
    requests.forEach(r -> targets.add(new Target(ends, asked, Optional.of(r))));
  }

  private boolean reached(Target t) {
    for (Map.Entry<TopicPartition, Long> e : t.ends.entrySet()) {
      if (consumer.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    completeAsOfNanos = Math.max(completeAsOfNanos, t.askedNanos);
    t.done.ifPresent(d -> d.complete(null));
    return true;
  }

  private void apply(ConsumerRecord<String, byte[]> r) {
    if (r.key() == null) {
      return;
    }
    if (r.value() == null) {
      jobs.remove(r.key()); // a tombstone: the job is forgotten
      return;
    }
    try {
      jobs.put(r.key(), new Seen(JobRecord.read(r.key(), r.value()), System.nanoTime()));
    } catch (CompactorException e) {
      LOG.warn("job state: {}-{}@{} skipped: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
    }
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
