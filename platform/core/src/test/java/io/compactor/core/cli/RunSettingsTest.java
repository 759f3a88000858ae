package io.compactor.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.core.job.ArtifactRoots;
import io.compactor.core.kafka.Topics;
import io.compactor.core.logging.LogFormat;
import io.compactor.core.platform.PlatformSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.ParameterException;

/**
 * What {@code run} really resolves, through {@link RunCommand#resolve}: for every setting, option over
 * {@code COMPACTOR_*} environment over settings file over default, and the sources it logs.
 */
class RunSettingsTest {
  @TempDir Path dir;

  /**
   * One of run's settings.
   *
   * @param name the option's name without dashes, also the file key and (upper-cased) the environment suffix
   * @param read where the value lands in the resolved settings
   * @param parse what a given value must become
   * @param defaultValue what it is when no layer gives it
   */
  private record Setting(String name, Function<PlatformSettings, Object> read, Function<String, Object> parse,
      Object defaultValue) {
    String env() {
      return "COMPACTOR_" + name.toUpperCase(Locale.ROOT).replace('-', '_');
    }
  }

  private static List<Setting> settings() {
    return List.of(
        new Setting("http-port", PlatformSettings::httpPort, Integer::valueOf, 9400),
        new Setting("concurrency", PlatformSettings::concurrency, Integer::valueOf, 1),
        new Setting("job-partitions", PlatformSettings::jobPartitions, Integer::valueOf, 4),
        new Setting("batch-size", s -> s.chain().batchSize(), Integer::valueOf, 16),
        new Setting("session-timeout", s -> (int) s.sessionTimeout().toSeconds(), Integer::valueOf, 10),
        new Setting("group-id", PlatformSettings::groupId, v -> v, "compactor"),
        new Setting("topic-prefix", s -> s.topics(), Topics::withPrefix, Topics.DEFAULT),
        new Setting("instance-id", PlatformSettings::instanceId, v -> v, null),
        new Setting("bundles", PlatformSettings::bundles, Path::of, Path.of("bundles")),
        new Setting("allowed-root", s -> s.roots().roots(), v -> List.of(ArtifactRoots.resolve(v)),
            List.of(ArtifactRoots.resolve(Path.of("").toAbsolutePath().toString()))));
  }

  /** @return a value of {@code s} that names the layer giving it */
  private String value(Setting s, String layer, int n) {
    return switch (s.name()) {
      case "bundles", "allowed-root" -> dir.resolve(layer).toString();
      case "group-id", "instance-id" -> layer + "-id";
      default -> String.valueOf(n);
    };
  }

  private Path file(String text) throws IOException {
    Path file = Files.createTempFile(dir, "compactor", ".properties");
    Files.writeString(file, text);
    return file;
  }

  @Test
  void everySettingTakesTheOptionOverTheEnvironmentOverTheFileOverTheDefault() throws IOException {
    for (Setting s : settings()) {
      String option = value(s, "option", 11);
      String env = value(s, "env", 12);
      String fromFile = value(s, "file", 13);
      Path file = file(s.name() + "=" + fromFile + "\n");

      RunCommand.Resolved none = RunCommand.resolve(Map.of(), "--embedded-kafka");
      RunCommand.Resolved fileOnly = RunCommand.resolve(Map.of(), "--embedded-kafka", "--settings", file.toString());
      RunCommand.Resolved envOverFile = RunCommand.resolve(Map.of(s.env(), env), "--embedded-kafka",
          "--settings", file.toString());
      RunCommand.Resolved optionOverAll = RunCommand.resolve(Map.of(s.env(), env, "COMPACTOR_SETTINGS",
          file.toString()), "--embedded-kafka", "--" + s.name(), option);

      if (s.defaultValue() != null) {
        assertEquals(s.defaultValue(), s.read().apply(none.settings()), s.name() + " by default");
      } else {
        assertTrue(none.settings().instanceId().endsWith("-" + ProcessHandle.current().pid()),
            none.settings().instanceId());
      }
      assertTrue(none.sources().contains(s.name() + " = "), none.sources());
      assertTrue(none.sources().lines().anyMatch(l -> l.contains(s.name() + " = ") && l.endsWith("(default)")),
          none.sources());
      assertEquals(s.parse().apply(fromFile), s.read().apply(fileOnly.settings()), s.name() + " from the file");
      assertTrue(fileOnly.sources().contains(s.name() + " = " + fromFile + "  (file " + file + ")"),
          fileOnly.sources());
      assertEquals(s.parse().apply(env), s.read().apply(envOverFile.settings()), s.name() + " from the environment");
      assertTrue(envOverFile.sources().contains(s.name() + " = " + env + "  (environment " + s.env() + ")"),
          envOverFile.sources());
      assertEquals(s.parse().apply(option), s.read().apply(optionOverAll.settings()), s.name() + " from the option");
      assertTrue(optionOverAll.sources().contains(s.name() + " = " + option + "  (option --" + s.name() + ")"),
          optionOverAll.sources());
    }
  }

  @Test
  void kafkaComesFromTheSameLayers() throws IOException {
    Path file = file("""
        bootstrap-servers=file:9092
        kafka.security.protocol=SSL
        kafka.ssl.key.password=hunter2
        kafka.client.rack=file-rack
        """);
    Map<String, String> env = new HashMap<>(Map.of("COMPACTOR_SETTINGS", file.toString(),
        "COMPACTOR_KAFKA_SECURITY_PROTOCOL", "SASL_SSL", "COMPACTOR_KAFKA_CLIENT_RACK", "env-rack"));

    assertEquals("file:9092", RunCommand.resolve(env).settings().bootstrapServers().orElseThrow());
    env.put("COMPACTOR_BOOTSTRAP_SERVERS", "env:9092");
    PlatformSettings s = RunCommand.resolve(env, "--kafka-property", "client.rack=option-rack").settings();
    assertEquals("env:9092", s.bootstrapServers().orElseThrow());
    assertEquals(Map.of("security.protocol", "SASL_SSL", "ssl.key.password", "hunter2", "client.rack", "option-rack"),
        s.kafkaOverrides());
    assertEquals("cli:9092", RunCommand.resolve(env, "--bootstrap-servers", "cli:9092").settings()
        .bootstrapServers().orElseThrow());
    Path embedded = file("embedded-kafka=true\n");
    assertTrue(RunCommand.resolve(Map.of(), "--settings", embedded.toString()).settings().bootstrapServers().isEmpty(),
        "embedded Kafka from the file");
  }

  @Test
  void theSettingsOptionBeatsCompactorSettings() throws IOException {
    Path fromEnv = file("group-id=env-file\n");
    Path fromOption = file("group-id=option-file\n");
    assertEquals("option-file", RunCommand.resolve(Map.of("COMPACTOR_SETTINGS", fromEnv.toString()),
        "--embedded-kafka", "--settings", fromOption.toString()).settings().groupId());
    assertEquals("env-file", RunCommand.resolve(Map.of("COMPACTOR_SETTINGS", fromEnv.toString()),
        "--embedded-kafka").settings().groupId());
  }

  @Test
  void theLoggedSourcesMaskSecrets() throws IOException {
    Path file = file("kafka.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule "
        + "password=\"x\";\n");
    String logged = RunCommand.resolve(Map.of("COMPACTOR_KAFKA_SSL_TRUSTSTORE_PASSWORD", "s3cret"),
        "--embedded-kafka", "--settings", file.toString(), "--http-port", "0").sources();

    assertTrue(logged.contains("http-port = 0  (option --http-port)"), logged);
    assertTrue(logged.contains("kafka.sasl.jaas.config = ****"), logged);
    assertTrue(logged.contains("kafka.ssl.truststore.password = ****"), logged);
    assertFalse(logged.contains("password=\"x\"") || logged.contains("s3cret"), logged);
  }

  @Test
  void theLogFormatTakesTheOptionOverTheEnvironmentOverTheFileOverText() throws IOException {
    Path file = file("log-format=json\n");
    assertEquals(LogFormat.TEXT, RunCommand.resolve(Map.of(), "--embedded-kafka").logFormat());
    assertEquals(LogFormat.JSON, RunCommand.resolve(Map.of(), "--embedded-kafka", "--settings", file.toString())
        .logFormat());
    assertEquals(LogFormat.TEXT, RunCommand.resolve(Map.of("COMPACTOR_LOG_FORMAT", "text"), "--embedded-kafka",
        "--settings", file.toString()).logFormat());
    RunCommand.Resolved option = RunCommand.resolve(Map.of("COMPACTOR_LOG_FORMAT", "text"), "--embedded-kafka",
        "--log-format", "json");
    assertEquals(LogFormat.JSON, option.logFormat());
    assertTrue(option.sources().contains("log-format = json  (option --log-format)"), option.sources());
    ParameterException bad = assertThrows(ParameterException.class,
        () -> RunCommand.resolve(Map.of("COMPACTOR_LOG_FORMAT", "xml"), "--embedded-kafka"));
    assertEquals("log-format: expected text or json, got 'xml'", bad.getMessage());
  }

  @Test
  void kafkaMustBeGivenOneWay() {
    ParameterException none = assertThrows(ParameterException.class, () -> RunCommand.resolve(Map.of()));
    assertTrue(none.getMessage().startsWith("no Kafka: give --bootstrap-servers"), none.getMessage());
    ParameterException both = assertThrows(ParameterException.class,
        () -> RunCommand.resolve(Map.of("COMPACTOR_BOOTSTRAP_SERVERS", "h:1"), "--embedded-kafka"));
    assertTrue(both.getMessage().contains("either --bootstrap-servers or --embedded-kafka"), both.getMessage());
  }

  @Test
  void badValuesNameTheSettingWhicheverLayerGivesThem() throws IOException {
    List<String> messages = new ArrayList<>();
    messages.add(assertThrows(ParameterException.class,
        () -> RunCommand.resolve(Map.of("COMPACTOR_CONCURRENCY", "many"), "--embedded-kafka")).getMessage());
    Path file = file("batch-size=lots\n");
    messages.add(assertThrows(ParameterException.class,
        () -> RunCommand.resolve(Map.of(), "--embedded-kafka", "--settings", file.toString())).getMessage());
    assertEquals(List.of("concurrency: expected a whole number, got 'many'",
        "batch-size: expected a whole number, got 'lots'"), messages);
    ParameterException missing = assertThrows(ParameterException.class,
        () -> RunCommand.resolve(Map.of(), "--embedded-kafka", "--settings", dir.resolve("none.properties").toString()));
    assertTrue(missing.getMessage().startsWith("--settings: settings file "), missing.getMessage());
    PlatformSettings roots = RunCommand.resolve(Map.of(), "--embedded-kafka", "--allowed-root", "/data/a,/data/b")
        .settings();
    assertEquals(List.of(Path.of("/data/a"), Path.of("/data/b")), roots.roots().roots());
  }

  @Test
  void theReplicationFactorIsTheBrokersUnlessALayerGivesOne() throws IOException {
    RunCommand.Resolved none = RunCommand.resolve(Map.of(), "--embedded-kafka");
    assertEquals(Optional.empty(), none.settings().replicationFactor());
    assertFalse(none.sources().contains("replication-factor"), "no value, nothing logged: " + none.sources());
    Path file = file("replication-factor=2\n");
    assertEquals(Optional.of((short) 2), RunCommand.resolve(Map.of(), "--embedded-kafka", "--settings",
        file.toString()).settings().replicationFactor());
    RunCommand.Resolved env = RunCommand.resolve(Map.of("COMPACTOR_REPLICATION_FACTOR", "3"), "--embedded-kafka",
        "--settings", file.toString());
    assertEquals(Optional.of((short) 3), env.settings().replicationFactor());
    assertTrue(env.sources().contains("replication-factor = 3  (environment COMPACTOR_REPLICATION_FACTOR)"),
        env.sources());
    assertEquals(Optional.of((short) 1), RunCommand.resolve(Map.of("COMPACTOR_REPLICATION_FACTOR", "3"),
        "--embedded-kafka", "--replication-factor", "1").settings().replicationFactor());
    for (String bad : List.of("0", "-1", "three", "40000")) {
      ParameterException e = assertThrows(ParameterException.class,
          () -> RunCommand.resolve(Map.of("COMPACTOR_REPLICATION_FACTOR", bad), "--embedded-kafka"));
      assertEquals("replication-factor: expected a whole number from 1 to 32767, got '" + bad + "'", e.getMessage());
    }
  }

  @Test
  void theTopicPrefixPrefixesEveryTopicAndABadOneNamesTheSetting() {
    Topics t = RunCommand.resolve(Map.of(), "--embedded-kafka", "--topic-prefix", "team-a.").settings().topics();
    assertEquals(new Topics("team-a.compactor.jobs", "team-a.compactor.events", "team-a.compactor.jobs.dlt"), t);
    ParameterException slash = assertThrows(ParameterException.class,
        () -> RunCommand.resolve(Map.of("COMPACTOR_TOPIC_PREFIX", "team/a"), "--embedded-kafka"));
    assertTrue(slash.getMessage().startsWith("topic-prefix: 'team/a' has characters Kafka refuses"), slash.getMessage());
    ParameterException tooLong = assertThrows(ParameterException.class,
        () -> RunCommand.resolve(Map.of(), "--embedded-kafka", "--topic-prefix", "p".repeat(240)));
    assertTrue(tooLong.getMessage().startsWith("topic-prefix: 240 characters make the topic name"),
        tooLong.getMessage());
  }

  @Test
  void s3PathStyleAndBucketRootsComeFromTheSameLayers() throws IOException {
    assertFalse(RunCommand.resolve(Map.of(), "--embedded-kafka").settings().s3().pathStyle());
    assertTrue(RunCommand.resolve(Map.of("COMPACTOR_S3_PATH_STYLE", "true"), "--embedded-kafka").settings().s3()
        .pathStyle());
    Path file = Files.writeString(dir.resolve("s3.properties"), "s3-path-style=true\n");
    assertTrue(RunCommand.resolve(Map.of(), "--embedded-kafka", "--settings", file.toString()).settings().s3()
        .pathStyle());
    assertTrue(RunCommand.resolve(Map.of(), "--embedded-kafka", "--s3-path-style").settings().s3().pathStyle());

    PlatformSettings s = RunCommand.resolve(Map.of("COMPACTOR_ALLOWED_ROOT", "s3://models/team," + dir),
        "--embedded-kafka").settings();
    assertEquals("[s3://models/team]", s.roots().buckets().toString());
    assertEquals(List.of(dir.toRealPath()), s.roots().roots());
    ParameterException bad = assertThrows(ParameterException.class,
        () -> RunCommand.resolve(Map.of(), "--embedded-kafka", "--allowed-root", "s3://models/../x"));
    assertTrue(bad.getMessage().startsWith("--allowed-root: 's3://models/../x'"), bad.getMessage());
  }
}
