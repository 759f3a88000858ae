package io.compactor.core.kafka;

import io.compactor.core.job.ArtifactRoots;
import io.compactor.core.job.EventType;
import io.compactor.core.job.JobEvent;
import io.compactor.core.job.JobRecord;
import io.compactor.core.job.JobRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * A benchmark, not a test: what the state topic and fencing add to each job, on the embedded broker. Per job,
 * as {@link JobWorker} does it: open the job's attempt (a transactional producer, fencing older attempts), read
 * the state topic to its end, write {@code accepted} with the state record, write the terminal event with the
 * state record; prints the median and 90th percentile of each part over 200 jobs. docs/benchmarks.md ("The
 * platform itself") gives the command.
 */
final class StateTopicMeasurement {
  private static final int JOBS = 200;

  private StateTopicMeasurement() {}

  public static void main(String[] args) throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      Properties p = new Properties();
      p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
      Topics topics = new Topics("m-jobs", "m-events", "m-dlt");
      try (Admin admin = Admin.create(p)) {
        topics.ensure(admin, 4, (short) 1);
      }
      Path dir = Path.of(System.getProperty("java.io.tmpdir"));
      CoordinatorSettings s = new CoordinatorSettings(kafka.bootstrapServers(), "m", "m1", 1, topics,
          new ArtifactRoots(List.of(dir)), Map.of(), Duration.ofSeconds(10), Duration.ofSeconds(10));
      List<Long> open = new ArrayList<>();
      List<Long> sync = new ArrayList<>();
      List<Long> accepted = new ArrayList<>();
      List<Long> terminal = new ArrayList<>();
      try (JobStateView view = new JobStateView(KafkaClients.cancelListener(s), topics.state(), "m1")) {
        view.start(Duration.ofSeconds(60));
        for (int i = 0; i < JOBS + 20; i++) {
          String id = "job-" + i;
          JobRequest r = new JobRequest(id, dir.resolve("m.onnx").toString(), dir.resolve("c.cfg").toString(),
              Optional.empty(), Optional.empty(), dir.resolve("out-" + id).toString());
          long t0 = System.nanoTime();
          try (Attempt attempt = Attempt.open(s, id)) {
            long t1 = System.nanoTime();
            view.sync(Duration.ofSeconds(30));
            long t2 = System.nanoTime();
            attempt.write(new JobRecord(r, "m-jobs-0@" + i, attempt.id(), "m1",
                JobEvent.of(EventType.ACCEPTED, id, Map.of("instance", "m1"))), true);
            long t3 = System.nanoTime();
            attempt.advance(JobEvent.of(EventType.COMPLETED, id, Map.of("outputs", Map.of(), "summary", Map.of())), true);
            long t4 = System.nanoTime();
            if (i >= 20) { // the first ones warm the clients and the broker up
              open.add(t1 - t0);
              sync.add(t2 - t1);
              accepted.add(t3 - t2);
              terminal.add(t4 - t3);
            }
          }
        }
      }
      System.out.printf("state topic per job over %d jobs, median / p90 ms: open attempt (initTransactions) %s, "
          + "read state to its end %s, accepted + state record %s, terminal + state record %s; total median %.1f ms%n",
          JOBS, stats(open), stats(sync), stats(accepted), stats(terminal),
          (median(open) + median(sync) + median(accepted) + median(terminal)) / 1e6);
    }
  }

  private static String stats(List<Long> nanos) {
    List<Long> sorted = nanos.stream().sorted().toList();
    return String.format("%.1f / %.1f", sorted.get(sorted.size() / 2) / 1e6, sorted.get(sorted.size() * 9 / 10) / 1e6);
  }

  private static long median(List<Long> nanos) {
    return nanos.stream().sorted().toList().get(nanos.size() / 2);
  }
}
