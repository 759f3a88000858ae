package io.compactor.core.kafka;

import io.compactor.api.CompactorException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The topics of the contract: job requests (and cancel requests), job events, dead letters, and the
 * platform's own compacted job state. Every command that reads or writes them takes their names from here,
 * built by {@link #withPrefix}.
 *
 * @param jobs job and cancel requests, key = job id
 * @param events CloudEvents (binary mode), key = job id
 * @param deadLetters records that could not be read, with error headers
 * @param state the latest state of each job (request, attempt, lease, terminal event), key = job id,
 *     compacted: what instances share instead of a filesystem
 */
public record Topics(String jobs, String events, String deadLetters, String state) {
  /** The names fixed by the contract, without a prefix. */
  public static final Topics DEFAULT = new Topics("compactor.jobs", "compactor.events", "compactor.jobs.dlt");
  /** What the state topic's name adds to the jobs topic's. */
  private static final String STATE_SUFFIX = ".state";
  /** Kafka's longest topic name. */
  private static final int MAX_NAME = 249;
  private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]*");

  /**
   * The contract's topics on a shared cluster: {@code prefix} is put in front of every name as it is, so
   * it carries its own separator ({@code team-a.} gives {@code team-a.compactor.jobs}), and one prefixed
   * ACL ({@code --resource-pattern-type prefixed}) covers all three.
   *
   * @param prefix characters Kafka allows in topic names ({@code a-z A-Z 0-9 . _ -}); empty for none
   * @return the prefixed topics
   * @throws IllegalArgumentException naming {@code topic-prefix} when Kafka would refuse the names
   */
  public static Topics withPrefix(String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    if (!LEGAL.matcher(prefix).matches()) {
      throw new IllegalArgumentException("topic-prefix: '" + prefix + "' has characters Kafka refuses in topic "
          + "names; use only a-z, A-Z, 0-9, '.', '_' and '-'");
    }
    Topics t = new Topics(prefix + DEFAULT.jobs, prefix + DEFAULT.events, prefix + DEFAULT.deadLetters);
    if (t.state.length() > MAX_NAME) {
      throw new IllegalArgumentException("topic-prefix: " + prefix.length() + " characters make the topic name "
          + t.state + " longer than Kafka's " + MAX_NAME);
    }
    return t;
  }

  public Topics {
    Objects.requireNonNull(jobs, "jobs");
    Objects.requireNonNull(events, "events");
    Objects.requireNonNull(deadLetters, "deadLetters");
    Objects.requireNonNull(state, "state");
  }

  /** The contract's topics with the state topic named after the jobs topic ({@code <jobs>.state}). */
  public Topics(String jobs, String events, String deadLetters) {
    this(jobs, events, deadLetters, jobs + STATE_SUFFIX);
  }

  /**
   * Creates the topics that do not exist yet; existing topics are left as they are.
   *
   * @param admin a connected admin client
   * @param jobPartitions partitions of the jobs topic (and the events and state topics): at most this many
   *     jobs run at once in a group
   * @param replication replication factor of new topics; empty takes the broker's
   *     {@code default.replication.factor}
   */
  public void ensure(Admin admin, int jobPartitions, Optional<Short> replication) {
    try {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<NewTopic> missing = new ArrayList<>();
      if (!existing.contains(jobs)) {
        missing.add(new NewTopic(jobs, Optional.of(jobPartitions), replication));
      }
      if (!existing.contains(events)) {
        missing.add(new NewTopic(events, Optional.of(jobPartitions), replication));
      }
      if (!existing.contains(deadLetters)) {
        missing.add(new NewTopic(deadLetters, Optional.of(1), replication));
      }
      if (!existing.contains(state)) {
        // compacted: the latest record of each job id is kept for good, older ones are cleaned away
        missing.add(new NewTopic(state, Optional.of(jobPartitions), replication)
            .configs(Map.of("cleanup.policy", "compact")));
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

  /** Creates missing topics with {@code replication} replicas; see {@link #ensure(Admin, int, Optional)}. */
  public void ensure(Admin admin, int jobPartitions, short replication) {
    ensure(admin, jobPartitions, Optional.of(replication));
  }
}
