package io.compactor.core.platform;

import io.compactor.core.chain.ChainExecutor;
import io.compactor.core.chain.ChainSettings;
import io.compactor.core.job.ArtifactRoots;
import io.compactor.core.job.Cancellation;
import io.compactor.core.job.EventType;
import io.compactor.core.job.JobEvent;
import io.compactor.core.job.JobMessages;
import io.compactor.core.job.JobRequest;
import io.compactor.core.kafka.CloudEventHeaders;
import io.compactor.core.kafka.EmbeddedKafka;
import io.compactor.core.kafka.JobClient;
import io.compactor.core.kafka.Topics;
import io.compactor.core.metrics.StepMetrics;
import io.compactor.onnx.fixtures.TestModels;
import io.compactor.onnx.npy.Npy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A benchmark of the platform, not a test: jobs per second through the whole pipeline for trivial jobs (2:4 on
 * a 3-layer CNN with 8 calibration images) with one and with two instances in one group, and the latency one
 * job gains by going through Kafka instead of running in-process. It refuses to print figures unless every job
 * completed exactly once. In the test sources because it starts the embedded Kafka broker and the platform
 * from there; run it as docs/benchmarks.md says ("The platform itself"); the results go to stdout.
 *
 * <pre>
 * ThroughputMeasurement [BUNDLES_DIR]      the directory holding bundle-prune-2of4.jar; default bundles
 * </pre>
 */
final class ThroughputMeasurement {
  private static final int JOBS = 200;
  private final Path dir;

  private ThroughputMeasurement(Path dir) {
    this.dir = dir;
  }

  public static void main(String[] args) throws Exception {
    Path builtIns = Path.of(args.length > 0 ? args[0] : "bundles");
    new ThroughputMeasurement(Files.createTempDirectory("throughput")).measure(builtIns);
  }

  private void measure(Path builtIns) throws Exception {
    Path bundles = Files.createDirectories(dir.resolve("bundles"));
    TestModels.residualCnn(1, false).save(dir.resolve("model.onnx"));
    // the planner refuses a job with nothing to compress, so the trivial job is the smallest real one: 2:4 on the
    // two eligible layers of a 3-layer CNN, 8 calibration images
    Files.copy(builtIns.resolve("bundle-prune-2of4.jar"), bundles.resolve("bundle-prune-2of4.jar"));
    Files.createDirectories(dir.resolve("calib"));
    Npy.write(dir.resolve("calib/image.npy"), TestModels.images(2, 8));
    Files.writeString(dir.resolve("tiny.cfg"), """
        prune_config { n_out_of_m_pruner { l1_selective_prune { n_out_of_m_type: M4N2 } } }
        """);
    StringBuilder report = new StringBuilder();
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      for (int instances = 1; instances <= 2; instances++) {
        Topics topics = new Topics("jobs-" + instances, "events-" + instances, "dlt-" + instances);
        List<Platform> platforms = new ArrayList<>();
        try {
          for (int i = 0; i < instances; i++) {
            platforms.add(Platform.start(new PlatformSettings(Optional.of(kafka.bootstrapServers()), bundles, 0,
                "group-" + instances, "i" + i, 1, topics, 4, new ArtifactRoots(List.of(dir)), 
                Map.of(), new ChainSettings(16, Duration.ofMillis(100), dir.resolve("work")))));
          }
          Thread.sleep(3000); // let the group settle so the measurement is of steady state
          double seconds = runJobs(kafka.bootstrapServers(), topics, "n" + instances + "-");
          report.append(String.format(Locale.ROOT, "%d instance(s): %d trivial jobs in %.2f s = %.1f jobs/s%n",
              instances, JOBS, seconds, JOBS / seconds));
        } finally {
          platforms.forEach(Platform::close);
        }
      }
      report.append(latency(kafka.bootstrapServers(), bundles));
    }
    System.out.print(report);
  }

  /** Sends {@link #JOBS} jobs at once and waits for every completed event; @return seconds from first send to last */
  private double runJobs(String servers, Topics topics, String prefix) throws Exception {
    Properties cp = new Properties();
    cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
    cp.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    Properties pp = new Properties();
    pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
    try (var consumer = new KafkaConsumer<>(cp, new StringDeserializer(), new ByteArrayDeserializer());
        var producer = new KafkaProducer<>(pp, new StringSerializer(), new ByteArraySerializer())) {
      List<TopicPartition> parts = consumer.partitionsFor(topics.events(), Duration.ofSeconds(10)).stream()
          .map(p -> new TopicPartition(topics.events(), p.partition())).toList();
      consumer.assign(parts);
      consumer.seekToEnd(parts);
      parts.forEach(consumer::position);
      long start = System.nanoTime();
      for (int i = 0; i < JOBS; i++) {
        JobRequest r = request(prefix + i);
        producer.send(new ProducerRecord<>(topics.jobs(), r.jobId(), JobMessages.write(r)));
      }
      producer.flush();
      Set<String> completed = new HashSet<>();
      int terminal = 0;
      long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
      while (completed.size() < JOBS && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> rec : consumer.poll(Duration.ofMillis(100))) {
          EventType type = CloudEventHeaders.type(rec.headers()).orElseThrow();
          if (type.terminal()) {
            terminal++;
            require(type == EventType.COMPLETED, "job " + rec.key() + " ended " + new String(rec.value()));
            completed.add(rec.key());
          }
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      require(completed.size() == JOBS, completed.size() + " of " + JOBS + " jobs completed in 5 minutes");
      require(terminal == JOBS, (terminal - JOBS) + " jobs completed twice");
      return seconds;
    }
  }

  /**
   * @return the median time of one job in-process, through the platform (send to completed, clients connected
   *     once) and as {@code submit --wait} does it (new producer and follower per job)
   */
  private String latency(String servers, Path bundles) throws Exception {
    List<Long> inProcess = new ArrayList<>();
    List<Long> platformOnly = new ArrayList<>();
    List<Long> submitWait = new ArrayList<>();
    Topics topics = new Topics("jobs-latency", "events-latency", "dlt-latency");
    ChainSettings chainSettings = new ChainSettings(16, Duration.ofMillis(100), dir.resolve("work"));
    try (Platform platform = Platform.start(new PlatformSettings(Optional.of(servers), bundles, 0, "group-latency",
        "l0", 1, topics, 1, new ArtifactRoots(List.of(dir)), Map.of(), chainSettings));
        Clients clients = new Clients(servers, topics)) {
      ChainExecutor chain = new ChainExecutor(platform.host().registry(), chainSettings,
          new StepMetrics(new SimpleMeterRegistry()));
      JobClient client = new JobClient(servers, Map.of(), topics);
      for (int i = 0; i < 23; i++) {
        long t0 = System.nanoTime();
        require(chain.execute(request("local-" + i), e -> {}, new Cancellation()).type() == EventType.COMPLETED,
            "in-process job failed");
        long t1 = System.nanoTime();
        clients.runJob(request("remote-" + i));
        long t2 = System.nanoTime();
        require(client.submit(request("submit-" + i), e -> {}, Duration.ofMinutes(1)).orElseThrow().type()
            == EventType.COMPLETED, "submitted job failed");
        long t3 = System.nanoTime();
        if (i >= 3) { // the first runs warm up class loading and JIT
          inProcess.add((t1 - t0) / 1000);
          platformOnly.add((t2 - t1) / 1000);
          submitWait.add((t3 - t2) / 1000);
        }
      }
    }
    long a = median(inProcess);
    long b = median(platformOnly);
    long c = median(submitWait);
    return String.format(Locale.ROOT, "one trivial job, median of 20: in-process %.1f ms; through Kafka and the "
        + "coordinator %.1f ms (added %.1f ms); as submit --wait with new clients per job %.1f ms%n",
        a / 1e3, b / 1e3, (b - a) / 1e3, c / 1e3);
  }

  /** A producer and an events consumer connected once. */
  private static final class Clients implements AutoCloseable {
    private final KafkaProducer<String, byte[]> producer;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Topics topics;

    Clients(String servers, Topics topics) {
      this.topics = topics;
      Properties cp = new Properties();
      cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
      cp.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
      Properties pp = new Properties();
      pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
      producer = new KafkaProducer<>(pp, new StringSerializer(), new ByteArraySerializer());
      consumer = new KafkaConsumer<>(cp, new StringDeserializer(), new ByteArrayDeserializer());
      List<TopicPartition> parts = consumer.partitionsFor(topics.events(), Duration.ofSeconds(10)).stream()
          .map(p -> new TopicPartition(topics.events(), p.partition())).toList();
      consumer.assign(parts);
      consumer.seekToEnd(parts);
      parts.forEach(consumer::position);
    }

    void runJob(JobRequest r) throws Exception {
      producer.send(new ProducerRecord<>(topics.jobs(), r.jobId(), JobMessages.write(r))).get();
      while (true) {
        for (ConsumerRecord<String, byte[]> rec : consumer.poll(Duration.ofMillis(20))) {
          if (rec.key().equals(r.jobId()) && CloudEventHeaders.type(rec.headers()).orElseThrow().terminal()) {
            require(CloudEventHeaders.type(rec.headers()).orElseThrow() == EventType.COMPLETED,
                "job " + r.jobId() + " failed");
            return;
          }
        }
      }
    }

    @Override
    public void close() {
      producer.close();
      consumer.close();
    }
  }

  private JobRequest request(String id) {
    return new JobRequest(id, dir.resolve("model.onnx").toString(), dir.resolve("tiny.cfg").toString(),
        Optional.of(dir.resolve("calib").toString()), Optional.empty(), dir.resolve("out/" + id).toString());
  }

  /** A measurement of failed jobs would be a wrong figure: stop instead. */
  private static void require(boolean condition, String problem) {
    if (!condition) {
      throw new IllegalStateException(problem);
    }
  }

  private static long median(List<Long> values) {
    List<Long> sorted = new ArrayList<>(values);
    sorted.sort(null);
    return sorted.get(sorted.size() / 2);
  }
}
