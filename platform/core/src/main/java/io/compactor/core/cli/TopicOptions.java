package io.compactor.core.cli;

import io.compactor.core.kafka.Topics;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The {@code --topic-prefix} of the client commands ({@code submit}, {@code events}): the platform's topic names. */
final class TopicOptions {
  @Spec(Spec.Target.MIXEE) CommandSpec spec;

  @Option(names = "--topic-prefix", paramLabel = "PREFIX", defaultValue = "",
      description = "The platform's --topic-prefix: put in front of every topic name as given (default: none).")
  String topicPrefix;

  /**
   * @return the topic names under the prefix
   * @throws ParameterException naming the option when Kafka would refuse the names
   */
  Topics topics() {
    try {
      return Topics.withPrefix(topicPrefix);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--" + e.getMessage());
    }
  }
}
