package io.compactor.core.cli;

import io.compactor.core.artifact.S3Settings;
import io.compactor.core.chain.ChainSettings;
import io.compactor.core.job.ArtifactRoots;
import io.compactor.core.job.InvalidRequestException;
import io.compactor.core.kafka.Topics;
import io.compactor.core.logging.LogFormat;
import io.compactor.core.platform.Platform;
import io.compactor.core.platform.PlatformSettings;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The long-running platform: consumes {@code compactor.jobs}, runs each job through the chain on the bundles'
 * providers, publishes {@code compactor.events}, and serves {@code /metrics}, {@code /health},
 * {@code /bundles}, {@code /jobs/{id}}. Options without a value on the command line come from
 * {@code COMPACTOR_*} environment variables, then the settings file, then the defaults shown.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = {"Runs the platform: consumes jobs from Kafka, runs them on the installed bundles, publishes events.",
        "Every option can also be set as environment variable COMPACTOR_<OPTION> (e.g. COMPACTOR_BOOTSTRAP_SERVERS) "
            + "or as <option>=value in the settings file; the command line wins, then the environment, then the file."})
final class RunCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

  @Spec CommandSpec spec;

  @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", description = "The Kafka cluster to join.")
  String bootstrapServers;

  @Option(names = "--embedded-kafka", description = "Start a single-node Kafka broker in this JVM instead (for trying it out).")
  boolean embeddedKafka;

  @Option(names = "--bundles", paramLabel = "DIR", description = "Bundle jars to watch (default: bundles).")
  Path bundles;

  @Option(names = "--http-port", paramLabel = "N", description = "Port of /metrics, /health, /bundles, /jobs/{id} (default: 9400).")
  Integer httpPort;

  @Option(names = "--concurrency", paramLabel = "N", description = "Jobs this instance runs at once (default: 1).")
  Integer concurrency;

  @Option(names = "--group-id", paramLabel = "ID", description = "Consumer group shared by all instances (default: compactor).")
  String groupId;

  @Option(names = "--instance-id", paramLabel = "ID", description = "This instance's id (default: <host>-<pid>).")
  String instanceId;

  @Option(names = "--allowed-root", paramLabel = "DIR|s3://BUCKET/PREFIX", split = ",",
      description = "Directories and S3 bucket prefixes jobs may read models and data from and write outputs to "
          + "(default: the working directory).")
  List<String> allowedRoots;

  @Option(names = "--s3-path-style", description = "Address S3 buckets path-style, as MinIO and other S3-compatible "
      + "stores need (default: false).")
  Boolean s3PathStyle;

  /** Gone: job state lives in Kafka's state topic. Still accepted so old scripts start; ignored with a warning. */
  @Option(names = "--state-dir", paramLabel = "DIR", hidden = true)
  Path stateDir;

  @Option(names = "--job-partitions", paramLabel = "N", description = "Partitions of compactor.jobs when it is created (default: 4).")
  Integer jobPartitions;

  @Option(names = "--replication-factor", paramLabel = "N",
      description = "Replicas of the topics the platform creates (default: the broker's default.replication.factor).")
  Integer replicationFactor;

  @Option(names = "--topic-prefix", paramLabel = "PREFIX",
      description = "Put in front of every topic name as given, separator included: team-a. uses team-a.compactor.jobs (default: none).")
  String topicPrefix;

  @Option(names = "--session-timeout", paramLabel = "SECONDS",
      description = "How long a running job's lease lasts without renewal (and the group session under the classic protocol): "
          + "how soon a killed instance's job is taken over; keep it above the brokers' failover time (default: 10).")
  Integer sessionTimeout;

  @Option(names = "--batch-size", paramLabel = "N", description = "Samples per ONNX Runtime run (default: 16).")
  Integer batchSize;

  @Option(names = "--kafka-property", paramLabel = "KEY=VALUE",
      description = "Kafka client property for every client, e.g. security.protocol=SASL_SSL; repeatable.")
  Map<String, String> kafkaProperties = new LinkedHashMap<>();

  @Option(names = "--settings", paramLabel = "FILE",
      description = "Settings file (.properties: option names as keys, kafka.<property> for Kafka clients); default: $COMPACTOR_SETTINGS.")
  Path settingsFile;

  @Option(names = "--log-format", paramLabel = "text|json",
      description = "Log lines as text or as one JSON object each (default: text).")
  String logFormat;

  @Option(names = "--verbose", description = "Print stack traces of failures.")
  boolean verbose;

  private final Map<String, String> environment;

  RunCommand() {
    this(System.getenv());
  }

  RunCommand(Map<String, String> environment) {
    this.environment = environment;
  }

  /**
   * What {@code run} starts with.
   *
   * @param settings the effective settings
   * @param logFormat how log lines are written
   * @param sources one line per setting: its value and the layer it came from, secrets masked
   */
  record Resolved(PlatformSettings settings, LogFormat logFormat, String sources) {}

  /**
   * Resolves {@code run}'s settings exactly as the command does, without starting anything.
   *
   * @param environment the environment to read {@code COMPACTOR_*} (and {@code COMPACTOR_SETTINGS}) from
   * @param args the arguments after {@code run}
   * @return the effective settings and their sources
   * @throws ParameterException naming the option or setting when the arguments or a layer's value are bad
   */
  static Resolved resolve(Map<String, String> environment, String... args) {
    RunCommand run = new RunCommand(environment);
    new CommandLine(run).parseArgs(args);
    return run.resolve();
  }

  @Override
  public Integer call() throws InterruptedException {
    Resolved resolved = resolve();
    if (!resolved.logFormat().apply()) {
      LOG.warn("--log-format {} not applied: the logging configuration has no appender named console",
          resolved.logFormat().id());
    }
    // one line per setting: a log line never spans lines
    resolved.sources().lines().filter(l -> !l.isBlank()).forEach(l -> LOG.info("setting {}", l.trim()));
    PlatformSettings settings = resolved.settings();
    if (stateDir != null || environment.containsKey("COMPACTOR_STATE_DIR")) {
      LOG.warn("--state-dir is ignored: job state lives in Kafka, on the compacted topic {}", settings.topics().state());
    }
    Platform platform = Platform.start(settings);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      platform.close();
      stopped.countDown();
    }, "compactor-shutdown"));
    spec.commandLine().getOut().printf("compactor %s running: kafka %s, http://localhost:%d/metrics; Ctrl-C stops%n",
        settings.instanceId(), platform.bootstrapServers(), platform.httpPort());
    spec.commandLine().getOut().flush();
    stopped.await();
    return 0;
  }

  /** @return the effective settings from options, environment, file and defaults, and their sources */
  private Resolved resolve() {
    LayeredSettings layers;
    try {
      layers = LayeredSettings.load(environment, settingsFile);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--settings: " + e.getMessage());
    }
    try {
      String servers = layers.get("bootstrap-servers", bootstrapServers, null);
      boolean embedded = Boolean.parseBoolean(layers.get("embedded-kafka", embeddedKafka ? true : null, false));
      if (servers != null && embedded) {
        throw new IllegalArgumentException("give either --bootstrap-servers or --embedded-kafka, not both");
      }
      if (servers == null && !embedded) {
        throw new IllegalArgumentException("no Kafka: give --bootstrap-servers HOST:PORT (or COMPACTOR_BOOTSTRAP_SERVERS) "
            + "or --embedded-kafka to start one in this JVM");
      }
      List<String> roots = Arrays.stream(layers.get("allowed-root", allowedRoots == null ? null
          : String.join(",", allowedRoots), Path.of("").toAbsolutePath()).split(","))
          .map(String::trim).filter(s -> !s.isEmpty()).toList();
      PlatformSettings s = new PlatformSettings(Optional.ofNullable(servers),
          Path.of(layers.get("bundles", bundles, "bundles")),
          layers.getInt("http-port", httpPort, 9400),
          layers.get("group-id", groupId, "compactor"),
          layers.get("instance-id", instanceId, defaultInstanceId()),
          layers.getInt("concurrency", concurrency, 1),
          Topics.withPrefix(layers.get("topic-prefix", topicPrefix, "")),
          layers.getInt("job-partitions", jobPartitions, 4),
          replication(layers.get("replication-factor", replicationFactor, null)),
          ArtifactRoots.parse(roots),
          layers.kafka(kafkaProperties),
          new ChainSettings(layers.getInt("batch-size", batchSize, 16), Duration.ofSeconds(5),
              Path.of(System.getProperty("java.io.tmpdir"))),
          new S3Settings(Boolean.parseBoolean(layers.get("s3-path-style", s3PathStyle, false))),
          Duration.ofSeconds(layers.getInt("session-timeout", sessionTimeout,
              (int) PlatformSettings.SESSION_TIMEOUT.toSeconds())));
      LogFormat format = LogFormat.parse(layers.get("log-format", logFormat, LogFormat.TEXT.id()));
      return new Resolved(s, format, layers.describe());
    } catch (IllegalArgumentException | InvalidRequestException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  /** @return the replication factor given, or empty for the broker's default */
  private static Optional<Short> replication(String value) {
    if (value == null) {
      return Optional.empty();
    }
    try {
      short n = Short.parseShort(value.trim());
      if (n >= 1) {
        return Optional.of(n);
      }
    } catch (NumberFormatException e) {
      // named below
    }
    throw new IllegalArgumentException("replication-factor: expected a whole number from 1 to " + Short.MAX_VALUE
        + ", got '" + value + "'");
  }

  private static String defaultInstanceId() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = "localhost";
    }
    return host + "-" + ProcessHandle.current().pid();
  }
}
