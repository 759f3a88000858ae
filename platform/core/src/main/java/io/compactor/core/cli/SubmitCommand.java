package io.compactor.core.cli;

import io.compactor.core.job.ArtifactRoots;
import io.compactor.core.job.EventType;
import io.compactor.core.job.JobEvent;
import io.compactor.core.job.JobMessages;
import io.compactor.core.job.JobRequest;
import io.compactor.core.kafka.EventFollower;
import io.compactor.core.kafka.Topics;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Publishes one job request to the jobs topic and, with {@code --wait}, follows its events. */
@Command(name = "submit", mixinStandardHelpOptions = true,
    description = "Submits a compression job to a running platform over Kafka.")
final class SubmitCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT", description = "Kafka bootstrap servers.")
  String bootstrapServers;

  @Option(names = "--model", required = true, paramLabel = "M.onnx", description = "The ONNX model.")
  Path model;

  @Option(names = "--config", required = true, paramLabel = "C.json|C.cfg", description = "AMCT configuration.")
  Path config;

  @Option(names = "--calibration", paramLabel = "DIR", description = "Calibration data: <input>.npy per model input.")
  Path calibration;

  @Option(names = "--eval", paramLabel = "DIR", description = "Evaluation data: <input>.npy and optional labels.npy.")
  Path eval;

  @Option(names = "--output", required = true, paramLabel = "DIR", description = "Where the platform writes the outputs.")
  Path output;

  @Option(names = "--job-id", paramLabel = "ID", description = "Job id (default: a random one); resubmitting an id is idempotent.")
  String jobId;

  @Option(names = "--wait", description = "Follow the job's events with a progress bar until it ends.")
  boolean waitForEnd;

  @Option(names = "--timeout", defaultValue = "PT2H", paramLabel = "DURATION", description = "How long --wait waits (ISO-8601, default ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(names = "--verbose", description = "Print stack traces of failures.")
  boolean verbose;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    String id = jobId != null ? jobId : "job-" + UUID.randomUUID().toString().substring(0, 8);
    JobRequest request = new JobRequest(id, abs(model), abs(config), Optional.ofNullable(calibration).map(this::abs),
        Optional.ofNullable(eval).map(this::abs), abs(output));
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    EventFollower follower = waitForEnd
        ? new EventFollower(bootstrapServers, Map.of(), Topics.DEFAULT.events(), id) : null;
    try (follower; var producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(Topics.DEFAULT.jobs(), id, JobMessages.write(request))).get(30, TimeUnit.SECONDS);
      out.println("submitted job " + id + " to " + Topics.DEFAULT.jobs());
      out.flush();
      if (follower == null) {
        return 0;
      }
      Optional<JobEvent> end = follower.follow(new ProgressBar(out, System.console() != null), timeout);
      if (end.isEmpty()) {
        spec.commandLine().getErr().println("error: job " + id + " did not end within " + timeout
            + "; it may still be running (GET /jobs/" + id + ")");
        return UserErrorHandler.FAILED;
      }
      return end.get().type() == EventType.COMPLETED ? 0 : UserErrorHandler.FAILED;
    }
  }

  private String abs(Path p) {
    return ArtifactRoots.resolve(p.toString()).toString();
  }
}
