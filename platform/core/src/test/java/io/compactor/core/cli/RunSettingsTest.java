package io.compactor.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.core.platform.PlatformSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/** {@code run}'s settings: option over environment over settings file over default, and what is logged. */
class RunSettingsTest {
  @TempDir Path dir;

  private PlatformSettings settings(Map<String, String> env, String... args) {
    RunCommand run = new RunCommand(env);
    new CommandLine(run).parseArgs(args);
    return run.settings();
  }

  @Test
  void optionsBeatTheEnvironmentWhichBeatsTheFileWhichBeatsTheDefaults() throws Exception {
    Path file = dir.resolve("compactor.properties");
    Files.writeString(file, """
        bootstrap-servers=file:9092
        concurrency=3
        group-id=from-file
        kafka.security.protocol=SSL
        kafka.ssl.key.password=hunter2
        """);
    Map<String, String> env = Map.of("COMPACTOR_SETTINGS", file.toString(), "COMPACTOR_CONCURRENCY", "2",
        "COMPACTOR_BOOTSTRAP_SERVERS", "env:9092", "COMPACTOR_KAFKA_SECURITY_PROTOCOL", "SASL_SSL");

    PlatformSettings s = settings(env, "--bootstrap-servers", "cli:9092");

    assertEquals("cli:9092", s.bootstrapServers().orElseThrow());
    assertEquals(2, s.concurrency());
    assertEquals("from-file", s.groupId());
    assertEquals(9400, s.httpPort());
    assertEquals(Map.of("security.protocol", "SASL_SSL", "ssl.key.password", "hunter2"), s.kafkaOverrides());
  }

  @Test
  void theLoggedSettingsNameTheirSourceAndMaskSecrets() throws Exception {
    Path file = dir.resolve("s.properties");
    Files.writeString(file, "kafka.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule password=\"x\";\n");
    RunCommand run = new RunCommand(Map.of());
    new CommandLine(run).parseArgs("--embedded-kafka", "--settings", file.toString(), "--http-port", "0");
    LayeredSettings layers = LayeredSettings.load(Map.of(), file);
    layers.get("http-port", 0, 9400);
    layers.kafka(Map.of());

    String logged = layers.describe();

    assertTrue(logged.contains("http-port = 0  (option --http-port)"), logged);
    assertTrue(logged.contains("kafka.sasl.jaas.config = ****"), logged);
    assertFalse(logged.contains("password=\"x\""), logged);
    assertTrue(run.settings().bootstrapServers().isEmpty(), "embedded Kafka");
  }

  @Test
  void kafkaMustBeGivenOneWay() {
    ParameterException none = assertThrows(ParameterException.class, () -> settings(Map.of()));
    assertTrue(none.getMessage().startsWith("no Kafka: give --bootstrap-servers"), none.getMessage());
    ParameterException both = assertThrows(ParameterException.class,
        () -> settings(Map.of("COMPACTOR_BOOTSTRAP_SERVERS", "h:1"), "--embedded-kafka"));
    assertTrue(both.getMessage().contains("either --bootstrap-servers or --embedded-kafka"), both.getMessage());
  }

  @Test
  void badValuesNameTheSetting() {
    ParameterException e = assertThrows(ParameterException.class,
        () -> settings(Map.of("COMPACTOR_CONCURRENCY", "many"), "--embedded-kafka"));
    assertEquals("concurrency: expected a whole number, got 'many'", e.getMessage());
    assertEquals(List.of(Path.of("/data/a"), Path.of("/data/b")),
        settings(Map.of(), "--embedded-kafka", "--allowed-root", "/data/a,/data/b").roots().roots());
  }
}
