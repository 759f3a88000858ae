package io.compactor.core.cli;

import io.compactor.core.job.EventType;
import io.compactor.core.job.JobEvent;
import io.compactor.core.job.JobRequest;
import io.compactor.core.job.TuneParameters;
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
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Publishes one job request to the jobs topic and, with {@code --wait}, follows its events. */
@Command(name = "submit", mixinStandardHelpOptions = true,
    description = "Submits a compression job (or with --kind tune a tune job) to a running platform over Kafka.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:submitted; with --wait: completed", "1:with --wait: the job failed, or did not end in time",
        "2:invalid arguments", "3:with --wait: a tune job completed, but no candidate meets its budget"})
final class SubmitCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT", description = "Kafka bootstrap servers.")
  String bootstrapServers;

  @Mixin JobOptions job;

  @Option(names = "--kind", paramLabel = "compress|tune", defaultValue = "compress", description = "compress: run "
      + "--config (default); tune: search the configuration under a budget, as 'compactor tune' does.")
  String kind;

  @Mixin TuneOptions tune;

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
    JobRequest request = job.request(id, tuneParameters());
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
      return ResultTable.budgetMet(end.get()).orElse(true) ? 0 : TuneCommand.BUDGET_NOT_MET;
    }
    return UserErrorHandler.FAILED;
  }

  /** @return the tune parameters of {@code --kind tune}; empty for a compression job, which takes none */
  private Optional<TuneParameters> tuneParameters() {
    switch (kind) {
      case "compress" -> {
        if (tune.given()) {
          throw new ParameterException(spec.commandLine(), "--max-drop, --min-fidelity, --objective, --capabilities, "
              + "--filter-ratios and --int8 are for --kind tune; a compression job follows --config");
        }
        return Optional.empty();
      }
      case "tune" -> {
        return Optional.of(tune.parameters());
      }
      default -> throw new ParameterException(spec.commandLine(), "--kind: unknown kind '" + kind
          + "'; use compress or tune");
    }
  }

}
