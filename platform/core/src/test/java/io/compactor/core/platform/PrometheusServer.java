package io.compactor.core.platform;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A real Prometheus (the Debian package's binary) as a child process on a loopback port, scraping one
 * target every second, with its configuration and storage in a temporary directory; queried through its
 * HTTP API.
 */
final class PrometheusServer implements AutoCloseable {
  static final String JOB = "compactor";
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Process process;
  private final int port;
  private final Path log;

  private PrometheusServer(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** @return the prometheus binary on this machine, if installed */
  static Optional<Path> binary() {
    return List.of("/usr/bin/prometheus", "/usr/local/bin/prometheus").stream().map(Path::of)
        .filter(Files::isExecutable).findFirst();
  }

  /**
   * @param binary the prometheus executable
   * @param dir where its configuration, storage and output go
   * @param target {@code host:port} serving {@code /metrics}
   * @return the server, ready to answer
   */
  static PrometheusServer start(Path binary, Path dir, String target) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path config = Files.writeString(dir.resolve("prometheus.yml"), """
        global:
          scrape_interval: 1s
          evaluation_interval: 1s
        scrape_configs:
          - job_name: %s
            static_configs:
              - targets: ['%s']
        """.formatted(JOB, target));
    Path log = dir.resolve("prometheus.log");
    Process p = new ProcessBuilder(binary.toString(), "--config.file=" + config,
        "--storage.tsdb.path=" + Files.createDirectories(dir.resolve("data")),
        "--web.listen-address=127.0.0.1:" + port).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    PrometheusServer server = new PrometheusServer(p, port, log);
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!server.ready()) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        server.close();
        throw new AssertionError("prometheus did not become ready; its output:\n" + Files.readString(log));
      }
      Thread.sleep(100);
    }
    return server;
  }

  private boolean ready() {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/-/ready")).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * @param path an API path, e.g. {@code /api/v1/query}
   * @param param the one query parameter's name
   * @param value its value
   * @return the {@code data} of a successful answer
   * @throws AssertionError naming the query when Prometheus refuses it
   */
  JsonNode api(String path, String param, String value) throws Exception {
    URI uri = URI.create("http://127.0.0.1:" + port + path + "?" + param + "="
        + URLEncoder.encode(value, StandardCharsets.UTF_8));
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    JsonNode body = JSON.readTree(r.body());
    if (r.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
      throw new AssertionError("prometheus refused " + value + ": " + r.statusCode() + " " + r.body());
    }
    return body.path("data");
  }

  /** @return the result of an instant query, now */
  JsonNode query(String promql) throws Exception {
    return api("/api/v1/query", "query", promql).path("result");
  }

  /** @return the values of {@code label} on the series {@code match} selects */
  List<String> labelValues(String label, String match) throws Exception {
    return java.util.stream.StreamSupport.stream(api("/api/v1/label/" + label + "/values", "match[]", match)
        .spliterator(), false).map(JsonNode::asText).toList();
  }

  @Override
  public void close() {
    process.destroy();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
