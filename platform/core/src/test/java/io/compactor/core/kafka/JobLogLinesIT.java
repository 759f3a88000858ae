package io.compactor.core.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.read.ListAppender;
import io.compactor.core.job.ArtifactRoots;
import io.compactor.core.job.EventType;
import io.compactor.core.job.JobBoard;
import io.compactor.core.job.JobExecutor;
import io.compactor.core.job.JobMessages;
import io.compactor.core.job.JobRequest;
import io.compactor.core.logging.JobLog;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The log lines of jobs run by a real coordinator on a real broker, captured from logback: each line
 * written while a job's work, its events or its refusal are handled carries that job's id.
 */
@Tag("integration")
class JobLogLinesIT {
  private static final org.slf4j.Logger STEP = LoggerFactory.getLogger("io.compactor.test.step");
  @TempDir Path dir;

  /** Keeps events with the MDC of the thread that logged them (logback reads it lazily otherwise). */
  private static final class Captured extends ListAppender<ILoggingEvent> {
    @Override
    protected void append(ILoggingEvent e) {
      e.prepareForDeferredProcessing();
      super.append(e);
    }

    List<ILoggingEvent> mentioning(String text) {
      return List.copyOf(list).stream().filter(e -> e.getFormattedMessage().contains(text)).toList();
    }
  }

  @Test
  void everyLineOfAJobCarriesItsIdOnTheThreadsThatRunItAndRefuseIt() throws Exception {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    Captured captured = new Captured();
    captured.setContext(context);
    captured.start();
    root.addAppender(captured);
    LayerLoopExecutor layers = new LayerLoopExecutor(3, 20);
    JobExecutor logging = (request, events, cancellation, checkpoints) -> {
      STEP.info("step begins");
      var end = layers.execute(request, e -> {
        STEP.info("event {}", e.type().id());
        events.publish(e);
      }, cancellation);
      STEP.info("step ends");
      return end;
    };
    Topics topics = new Topics("jobs-log", "events-log", "dlt-log");
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      Properties p = new Properties();
      p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
      try (Admin admin = Admin.create(p)) {
        topics.ensure(admin, 1, (short) 1);
      }
      CoordinatorSettings s = new CoordinatorSettings(kafka.bootstrapServers(), "group-log", "log-1", 1, topics,
          new ArtifactRoots(List.of(dir)), Map.of(), Duration.ofSeconds(30),
          Duration.ofSeconds(6));
      try (Coordinator c = new Coordinator(s, logging, new SimpleMeterRegistry(), new JobBoard(10));
          var producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
          EventLog events = new EventLog(kafka.bootstrapServers(), topics.events(), true)) {
        c.start();
        JobRequest good = new JobRequest("log-1", dir.resolve("m.onnx").toString(), dir.resolve("c.cfg").toString(),
            Optional.empty(), Optional.empty(), dir.resolve("out").toString());
        JobRequest outside = new JobRequest("log-2", "/etc/passwd", dir.resolve("c.cfg").toString(),
            Optional.empty(), Optional.empty(), dir.resolve("out2").toString());
        for (JobRequest r : List.of(good, outside)) {
          producer.send(new ProducerRecord<>(topics.jobs(), r.jobId(), JobMessages.write(r))).get(10, TimeUnit.SECONDS);
        }
        events.until(seen -> seen.stream().filter(e -> e.type().terminal()).count() == 2, Duration.ofSeconds(60));
      }
    } finally {
      root.detachAppender(captured);
    }

    List<ILoggingEvent> steps = captured.list.stream().filter(e -> e.getLoggerName().equals(STEP.getName())).toList();
    assertEquals(List.of("step begins", "event planned", "event step.started", "event step.progress",
        "event step.progress", "event step.progress", "step ends"),
        steps.stream().map(ILoggingEvent::getFormattedMessage).toList());
    assertTrue(steps.stream().allMatch(e -> "log-1".equals(e.getMDCPropertyMap().get(JobLog.MDC_KEY))),
        "every step line names the job");
    List<ILoggingEvent> refused = captured.mentioning("job log-2 refused");
    assertEquals(1, refused.size(), captured.list.toString());
    assertEquals("log-2", refused.get(0).getMDCPropertyMap().get(JobLog.MDC_KEY), "the poll thread names the job");
    assertTrue(captured.list.stream().filter(e -> e.getThreadName().startsWith("compactor-job"))
        .allMatch(e -> "log-1".equals(e.getMDCPropertyMap().get(JobLog.MDC_KEY))), "the worker names its job");
    assertFalse(captured.mentioning("coordinator log-1 consuming").get(0).getMDCPropertyMap()
        .containsKey(JobLog.MDC_KEY), "lines outside a job name none");

    @SuppressWarnings("unchecked")
    var console = (OutputStreamAppender<ILoggingEvent>) root.getAppender("console");
    String line = new String(console.getEncoder().encode(steps.get(0)), StandardCharsets.UTF_8);
    assertTrue(line.contains(" [job log-1] - step begins"), line);
  }
}
