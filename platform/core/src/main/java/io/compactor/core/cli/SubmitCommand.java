package io.compactor.core.cli;

import io.compactor.core.job.EventType;
import io.compactor.core.job.JobEvent;
import io.compactor.core.job.JobRequest;
import io.compactor.core.kafka.JobClient;
import io.compactor.core.kafka.Topics;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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

  @Mixin JobOptions job;

  @Option(names = "--job-id", paramLabel = "ID", description = "Job id (default: a random one); resubmitting an id is idempotent.")
  String jobId;

  @Option(names = "--wait", description = "Follow the job's events with a progress bar until it ends.")
  boolean waitForEnd;

  @Option(names = "--timeout", defaultValue = "PT2H", paramLabel = "DURATION", description = "How long --wait waits (ISO-8601, default ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(names = "--kafka-property", paramLabel = "KEY=VALUE",
      description = "Kafka client property, e.g. security.protocol=SASL_SSL; repeatable.")
  Map<String, String> kafkaProperties = new LinkedHashMap<>();

  @Mixin TopicOptions topicOptions;

  @Option(names = "--verbose", description = "Print stack traces of failures.")
  boolean verbose;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    String id = jobId != null ? jobId : "job-" + UUID.randomUUID().toString().substring(0, 8);
    JobRequest request = job.request(id);
    Topics topics = topicOptions.topics();
    out.println("submitting job " + id + " to " + topics.jobs());
    out.flush();
    ProgressBar progress = waitForEnd ? ProgressBar.forConsole(out) : null;
    Optional<JobEvent> end = new JobClient(bootstrapServers, kafkaProperties, topics).submit(request, progress, timeout);
    if (!waitForEnd) {
      return 0;
    }
    if (end.isEmpty()) {
      spec.commandLine().getErr().println("error: job " + id + " did not end within " + timeout
          + "; it may still be running (GET /jobs/" + id + ")");
      return UserErrorHandler.FAILED;
    }
    if (end.get().type() == EventType.COMPLETED) {
      ResultTable.print(end.get(), out);
      return 0;
    }
    return UserErrorHandler.FAILED;
  }

}
