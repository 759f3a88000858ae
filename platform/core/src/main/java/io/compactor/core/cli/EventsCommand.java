package io.compactor.core.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.compactor.core.job.JobMessages;
import io.compactor.core.kafka.EventFollower;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.kafka.common.errors.InterruptException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Prints jobs' events from the beginning of the events topic as JSON lines, one CloudEvent each (its
 * attributes and its data): the same events {@code submit --wait} follows, for auditing a job without a
 * Kafka command-line tool.
 */
@Command(name = "events", mixinStandardHelpOptions = true,
    description = {"Prints jobs' events as JSON lines (CloudEvents JSON format: specversion, id, source, type, time, "
        + "subject = job id, ..., data), from the beginning of the events topic.",
        "Without --follow it stops at the end the topic had when it started; with --follow it waits for new "
            + "events until interrupted (Ctrl-C)."})
final class EventsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT", description = "Kafka bootstrap servers.")
  String bootstrapServers;

  @Option(names = "--job", paramLabel = "ID", description = "Only this job's events.")
  String jobId;

  @Mixin TopicOptions topicOptions;

  @Option(names = "--follow", description = "Keep printing new events after reaching the end.")
  boolean follow;

  @Option(names = "--kafka-property", paramLabel = "KEY=VALUE",
      description = "Kafka client property, e.g. security.protocol=SASL_SSL; repeatable.")
  Map<String, String> kafkaProperties = new LinkedHashMap<>();

  @Option(names = "--verbose", description = "Print stack traces of failures.")
  boolean verbose;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try (EventFollower events = new EventFollower(bootstrapServers, kafkaProperties, topicOptions.topics().events(),
        Optional.ofNullable(jobId), EventFollower.From.BEGINNING)) {
      events.read(e -> {
        out.println(line(e.cloudEvent()));
        out.flush();
      }, follow);
    } catch (InterruptException e) {
      Thread.interrupted(); // --follow ends here when interrupted; the consumer is closed
    }
    return 0;
  }

  private static String line(Map<String, Object> event) {
    try {
      return JobMessages.json().writeValueAsString(event);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("event not printable as JSON: " + event.get("id"), e);
    }
  }
}
