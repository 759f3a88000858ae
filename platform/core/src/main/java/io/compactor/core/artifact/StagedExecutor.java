package io.compactor.core.artifact;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.compactor.core.job.Cancellation;
import io.compactor.core.job.CheckpointLocation;
import io.compactor.core.job.EventSink;
import io.compactor.core.job.EventType;
import io.compactor.core.job.JobEvent;
import io.compactor.core.job.JobExecutor;
import io.compactor.core.job.JobRequest;
import io.compactor.core.job.S3Location;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a job whose artifacts may live in S3: stages the inputs into a job-local directory, runs the job on
 * local paths, publishes the outputs to the output prefix and names the published URIs in the
 * {@code completed} event. The job's steps are saved where the caller says (a Kafka job's attempts: beside the
 * output, in the bucket for an {@code s3://} output), so they outlive the staging directory and the instance.
 * A job with local paths only runs unchanged. A store that cannot be reached ends
 * the job as {@code failed} in stage {@code request}, naming the field and URI. The request's URIs must
 * already be confined ({@link io.compactor.core.job.ArtifactRoots}).
 */
public final class StagedExecutor implements JobExecutor {
  private static final Logger LOG = LoggerFactory.getLogger(StagedExecutor.class);
  /** The output field of {@code report.json} in the {@code completed} event. */
  private static final String REPORT = "report";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final JobExecutor job;
  private final Path workRoot;
  private final ArtifactStores stores;

  /**
   * @param job runs a job on local paths
   * @param workRoot where job-local staging directories are made
   * @param stores where the artifacts are (the caller closes them)
   */
  public StagedExecutor(JobExecutor job, Path workRoot, ArtifactStores stores) {
    this.job = job;
    this.workRoot = workRoot;
    this.stores = stores;
  }

  /**
   * Runs the job as the wrapped executor does, its steps saved at {@code checkpoints} (in the object store for
   * an {@code s3://} output).
   *
   * @return the terminal event, tagged with the job's kind (staging's own failures included)
   */
  @Override
  public JobEvent execute(JobRequest request, EventSink events, Cancellation cancellation,
      Optional<CheckpointLocation> checkpoints) {
    return stagedRun(request, events, cancellation, checkpoints).withKind(request.kind());
  }

  private JobEvent stagedRun(JobRequest request, EventSink events, Cancellation cancellation,
      Optional<CheckpointLocation> checkpoints) {
    if (Stream.concat(request.inputs().values().stream(), Stream.of(request.output())).noneMatch(S3Location::isS3)) {
      return job.execute(request, events, cancellation, checkpoints);
    }
    Path stage = null;
    try {
      stage = Files.createTempDirectory(Files.createDirectories(workRoot), "stage-" + request.jobId() + "-");
      Map<String, String> fetched = new LinkedHashMap<>();
      for (Map.Entry<String, String> input : request.inputs().entrySet()) {
        fetched.put(input.getKey(), fetch(input.getKey(), input.getValue(), stage).toString());
      }
      JobRequest staged = request.relocated(fetched, store("output", request.output()).outputDirectory("output",
          request.output(), stage).toString());
      JobEvent end = job.execute(staged, events, cancellation, checkpoints);
      return end.type() == EventType.COMPLETED ? published(request, end) : end;
    } catch (ArtifactException e) {
      return JobEvent.of(EventType.FAILED, request.jobId(), Map.of("stage", "request", "reason", e.getMessage()));
    } catch (IOException e) {
      return JobEvent.of(EventType.FAILED, request.jobId(), Map.of("stage", "io", "reason",
          "cannot stage the job's artifacts under " + workRoot + ": " + e));
    } finally {
      delete(stage);
    }
  }

  /** @return the staged copy of one input: the model with its external data, a file, or a data directory */
  private Path fetch(String field, String uri, Path stage) {
    ArtifactStore store = store(field, uri);
    return switch (field) {
      case "model" -> store.fetchModel(field, uri, stage);
      case "config" -> store.fetchFile(field, uri, stage);
      default -> store.fetchDirectory(field, uri, stage);
    };
  }

  /**
   * @return {@code end} with its outputs (every file the {@code completed} event names: a compression's three, a
   *     tune's more) published and named by their URIs
   */
  private JobEvent published(JobRequest request, JobEvent end) {
    Map<?, ?> outputs = (Map<?, ?>) end.data().get("outputs");
    List<String> fields = new ArrayList<>();
    List<Path> files = new ArrayList<>();
    outputs.forEach((field, file) -> {
      fields.add(String.valueOf(field));
      files.add(Path.of(String.valueOf(file)));
    });
    if (fields.contains(REPORT)) {
      nameInputs(files.get(fields.indexOf(REPORT)), request);
    }
    List<String> uris = store("output", request.output()).publish("output", request.output(), files);
    Map<String, Object> named = new LinkedHashMap<>();
    for (int i = 0; i < fields.size(); i++) {
      named.put(fields.get(i), uris.get(i));
    }
    Map<String, Object> data = new LinkedHashMap<>(end.data());
    data.put("outputs", named);
    return new JobEvent(end.type(), end.jobId(), end.time(), data);
  }

  /** The report names the inputs as requested (their URIs), not the staging copies, which are deleted. */
  private static void nameInputs(Path report, JobRequest request) {
    try {
      JsonNode tree = JSON.readTree(report.toFile());
      if (tree.get("inputs") instanceof ObjectNode inputs) {
        request.inputs().forEach(inputs::put);
        JSON.writerWithDefaultPrettyPrinter().writeValue(report.toFile(), tree);
      }
    } catch (IOException e) {
      throw new ArtifactException("output", report.toString(), "the report cannot be rewritten (" + e + ")", e);
    }
  }

  private ArtifactStore store(String field, String uri) {
    return stores.store(field, uri);
  }

  private static void delete(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      LOG.warn("staging directory {} not removed: {}", dir, e.toString());
    }
  }
}
