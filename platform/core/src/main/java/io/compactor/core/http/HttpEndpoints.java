package io.compactor.core.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.compactor.api.CompactorException;
import io.compactor.core.health.Health;
import io.compactor.core.health.HealthReport;
import io.compactor.core.job.JobBoard;
import io.compactor.core.job.JobEvent;
import io.compactor.core.job.JobMessages;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The platform's HTTP surface: {@code /metrics} (Prometheus text), {@code /health/live} and
 * {@code /health/ready} (200 when UP, 503 with the failed checks named when DOWN; {@code /health} is
 * {@code /health/ready}), {@code /bundles} (capabilities and providers) and {@code /jobs/{id}} (status and
 * last event). Read-only.
 */
public final class HttpEndpoints implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HttpEndpoints.class);
  private final HttpServer server;

  private HttpEndpoints(HttpServer server) {
    this.server = server;
  }

  /**
   * @param port the port on all interfaces; 0 picks a free one
   * @param metrics the Prometheus text exposition, produced per scrape
   * @param health liveness and readiness
   * @param bundles the capability listing
   * @param board the last event of each job, run here or on any instance
   * @return the started server
   */
  public static HttpEndpoints start(int port, Supplier<String> metrics, Health health,
      Supplier<Object> bundles, JobBoard board) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(port), 0);
    } catch (IOException e) {
      throw new CompactorException("http: cannot listen on port " + port + " (" + e.getMessage()
          + "); choose another with --http-port", e);
    }
    server.setExecutor(Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "compactor-http");
      t.setDaemon(true);
      return t;
    }));
    server.createContext("/metrics", ex -> send(ex, 200, "text/plain; version=0.0.4; charset=utf-8",
        metrics.get().getBytes(StandardCharsets.UTF_8)));
    server.createContext("/health", ex -> {
      switch (ex.getRequestURI().getPath()) {
        case "/health", "/health/", "/health/ready" -> health(ex, health.ready());
        case "/health/live" -> health(ex, health.live());
        default -> json(ex, 404, Map.of("error", "no such endpoint; try /health/live or /health/ready"));
      }
    });
    server.createContext("/bundles", ex -> json(ex, 200, bundles.get()));
    server.createContext("/jobs/", ex -> {
      String id = ex.getRequestURI().getPath().substring("/jobs/".length());
      var last = board.last(id);
      if (last.isEmpty()) {
        json(ex, 404, Map.of("jobId", id, "error", "no job " + id + " known to the platform"));
      } else {
        json(ex, 200, status(last.get()));
      }
    });
    server.start();
    LOG.info("http endpoints on port {}: /metrics /health/live /health/ready /bundles /jobs/{id}",
        server.getAddress().getPort());
    return new HttpEndpoints(server);
  }

  private static Map<String, Object> status(JobEvent e) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("jobId", e.jobId());
    s.put("state", e.type().terminal() ? e.type().id() : "running");
    s.put("lastEvent", Map.of("type", e.type().ceType(), "time", e.time().toString(), "data", e.data()));
    return s;
  }

  private static void health(HttpExchange ex, HealthReport report) throws IOException {
    json(ex, report.up() ? 200 : 503, report.document());
  }

  private static void json(HttpExchange ex, int code, Object body) throws IOException {
    send(ex, code, "application/json", JobMessages.json().writeValueAsBytes(body));
  }

  private static void send(HttpExchange ex, int code, String type, byte[] body) throws IOException {
    try (ex) {
      if (!"GET".equals(ex.getRequestMethod())) {
        ex.sendResponseHeaders(405, -1);
        return;
      }
      ex.getResponseHeaders().add("Content-Type", type);
      ex.sendResponseHeaders(code, body.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
  }

  /** @return the port actually bound */
  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
