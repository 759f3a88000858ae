package io.compactor.core.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.compactor.core.chain.ChainSettings;
import io.compactor.core.job.ArtifactRoots;
import io.compactor.core.kafka.EmbeddedKafka;
import io.compactor.core.kafka.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /health/ready} and {@code /health/live} of a platform on a real broker that is stopped and started
 * again: ready follows the broker, live follows the poll loop, and a DOWN names the check that failed.
 */
@Tag("integration")
class HealthIT {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  @TempDir Path dir;

  /** One answer of a health endpoint. */
  private record Answer(int code, JsonNode body) {
    String check(String name) {
      return body.path("checks").path(name).path("status").asText();
    }

    List<String> failed() {
      return java.util.stream.StreamSupport.stream(body.path("failed").spliterator(), false).map(JsonNode::asText)
          .toList();
    }
  }

  private static Answer get(int port, String path) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), new ObjectMapper().readTree(r.body()));
  }

  private static Answer await(int port, String path, Predicate<Answer> done) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    Answer last = get(port, path);
    while (!done.test(last)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(path + " did not change within " + WAIT + "; last: " + last);
      }
      Thread.sleep(200);
      last = get(port, path);
    }
    return last;
  }

  @Test
  void readyFollowsTheBrokerLiveFollowsThePollLoopAndDownNamesTheFailedCheck() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start();
        Platform platform = Platform.start(new PlatformSettings(Optional.of(kafka.bootstrapServers()),
            Files.createDirectories(dir.resolve("bundles")), 0, "health-group", "health-1", 1, Topics.DEFAULT, 2,
            new ArtifactRoots(List.of(dir)), Map.of(), ChainSettings.defaults()))) {
      int port = platform.httpPort();
      Answer ready = await(port, "/health/ready", a -> a.code() == 200);
      assertEquals(List.of("UP", "UP", "UP", "UP"), List.of(ready.body().path("status").asText(),
          ready.check("broker"), ready.check("host"), ready.check("group")), ready.toString());
      assertEquals(200, get(port, "/health").code(), "/health is /health/ready");
      assertEquals(200, get(port, "/health/live").code());

      kafka.stop();
      Answer down = await(port, "/health/ready", a -> a.code() == 503);
      assertEquals("DOWN", down.body().path("status").asText(), down.toString());
      assertEquals("DOWN", down.check("broker"), down.toString());
      assertEquals("UP", down.check("host"), down.toString());
      assertEquals(List.of("broker", "group"), down.failed(), down.toString());
      assertEquals(503, get(port, "/health").code());
      assertEquals(200, get(port, "/health/live").code(), "a broker outage must not restart the instance");

      kafka.restart();
      Answer back = await(port, "/health/ready", a -> a.code() == 200);
      assertEquals(List.of(), back.failed(), back.toString());

      platform.coordinator().close();
      Answer wedged = await(port, "/health/live", a -> a.code() == 503);
      assertEquals(List.of("pollLoop"), wedged.failed(), wedged.toString());
      assertEquals(404, get(port, "/health/nonsense").code());
    }
  }
}
