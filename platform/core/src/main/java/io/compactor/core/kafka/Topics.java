package io.compactor.core.kafka;

import io.compactor.api.CompactorException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The three topics of the contract: job requests (and cancel requests), job events, dead letters.
 *
 * @param jobs job and cancel requests, key = job id
 * @param events CloudEvents (binary mode), key = job id
 * @param deadLetters records that could not be read, with error headers
 */
public record Topics(String jobs, String events, String deadLetters) {
  /** The names fixed by the contract. */
  public static final Topics DEFAULT = new Topics("compactor.jobs", "compactor.events", "compactor.jobs.dlt");

  public Topics {
    Objects.requireNonNull(jobs, "jobs");
    Objects.requireNonNull(events, "events");
    Objects.requireNonNull(deadLetters, "deadLetters");
  }

  /**
   * Creates the topics that do not exist yet; existing topics are left as they are.
   *
   * @param admin a connected admin client
   * @param jobPartitions partitions of the jobs topic: at most this many jobs run at once in a group
   * @param replication replication factor for new topics
   */
  public void ensure(Admin admin, int jobPartitions, short replication) {
    try {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<NewTopic> missing = new ArrayList<>();
      if (!existing.contains(jobs)) {
        missing.add(new NewTopic(jobs, jobPartitions, replication));
      }
      if (!existing.contains(events)) {
        missing.add(new NewTopic(events, jobPartitions, replication));
      }
      if (!existing.contains(deadLetters)) {
        missing.add(new NewTopic(deadLetters, 1, replication));
      }
      if (!missing.isEmpty()) {
        admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
      }
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new CompactorException("kafka: cannot create topics " + this + ": " + e.getCause(), e);
      }
    } catch (Exception e) {
      throw new CompactorException("kafka: cannot list or create topics " + this + ": " + e, e);
    }
  }
}
