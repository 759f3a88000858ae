package io.compactor.core.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** A bundle jar importing {@code org.slf4j} resolves against the host's export and logs into the host's backend. */
@Tag("integration")
class BundleLoggingIT {
  @TempDir Path dir;
  @TempDir Path build;

  @Test
  void aBundleImportingSlf4jResolvesAndItsLinesReachTheHostBackend() throws Exception {
    Path jar = TestBundles.build(build, "test.logging", "1.0.0", "logging", Map.of());
    try (JarFile j = new JarFile(jar.toFile())) {
      String imports = j.getManifest().getMainAttributes().getValue("Import-Package");
      assertTrue(imports.contains("org.slf4j;version=\"[2.0,3)\""), "bnd made the usual versioned import: " + imports);
    }
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> captured = new ListAppender<>();
    captured.setContext(context);
    captured.start();
    root.addAppender(captured);
    try (OsgiHost host = OsgiHost.start(HostSettings.of(dir))) {
      new Watched(host.watchedDirectory()).drop(jar, "logging.jar");
      Await.until("the logging bundle to serve", () -> host.registry().chosen("sparsity.logging"), Optional::isPresent);
      BundleListing listing = host.awaitSettled(java.time.Duration.ofSeconds(30));
      assertEquals(List.of(), listing.problems(), listing.toString());
    } finally {
      root.detachAppender(captured);
    }
    List<String> lines = List.copyOf(captured.list).stream()
        .filter(e -> e.getLoggerName().endsWith("testbundles.logging.LoggingMethod"))
        .map(ILoggingEvent::getFormattedMessage).toList();
    assertEquals(List.of("test.logging active, logging through " + LoggerContext.class.getName()), lines);
  }
}
