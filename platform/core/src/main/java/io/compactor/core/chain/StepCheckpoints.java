package io.compactor.core.chain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.compactor.api.LayerQuantization;
import io.compactor.api.LayerResult;
import io.compactor.api.StepResult;
import io.compactor.api.TrainingForm;
import io.compactor.api.WeightMask;
import io.compactor.core.job.CheckpointLocation;
import io.compactor.core.job.JobMessages;
import io.compactor.core.job.JobRequest;
import io.compactor.core.job.OutputStore;
import io.compactor.onnx.graph.OnnxModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The result of each finished compression step, saved beside the job's outputs
 * ({@code <output>/.checkpoints/step-<n>.onnx} and {@code .json}, in the job's {@link OutputStore}: a local
 * directory or the bucket of an {@code s3://} output): the training form's model, its masks, quantization
 * parameters and compressed nodes, and the step's statistics, so a later attempt of the same job (after the
 * instance running it died) resumes after the last finished step instead of starting over. A saved step counts
 * only for the same request on the same provider and version. Saving is best effort: a step result that cannot
 * be saved costs a resume, never the job. A job run without a checkpoint location saves nothing.
 */
final class StepCheckpoints {
  private static final Logger LOG = LoggerFactory.getLogger(StepCheckpoints.class);
  private static final ObjectMapper JSON = JobMessages.json();
  private final Optional<CheckpointLocation> at;
  private final Path scratch;
  private final String jobId;
  private final String request;

  /** A step restored from its checkpoint. */
  record Saved(StepResult result, Duration took) {}

  /** Serialized form of a mask: the held zeros as the words of a {@link BitSet}. */
  private record Mask(String node, String weight, long[] shape, long[] zeros) {}

  /**
   * @param request the job, run into its (attempt's) output directory
   * @param at where the job's steps are saved; empty: nowhere
   * @param scratch a local directory for the files on their way to and from the store
   */
  StepCheckpoints(JobRequest request, Optional<CheckpointLocation> at, Path scratch) {
    this.at = at;
    this.scratch = scratch;
    this.jobId = request.jobId();
    var json = JobMessages.toJson(request);
    json.remove("output"); // each attempt writes elsewhere; the job is the same
    this.request = json.toString();
  }

  /**
   * @param index the step's position (1-based)
   * @param capability the step's capability
   * @param provider the provider and version that would run it
   * @return the step's saved result, its form's model loaded, when this job saved one for the same provider
   */
  Optional<Saved> load(int index, String capability, String provider) {
    if (at.isEmpty()) {
      return Optional.empty();
    }
    OutputStore store = at.get().store();
    Path json = null;
    Path model = null;
    try {
      json = temporary("step-" + index, ".json");
      model = temporary("step-" + index, ".onnx");
      // the description first: it is written last, so a model without it is not a finished step
      if (!store.get(at.get().file("step-" + index + ".json"), json)) {
        return Optional.empty();
      }
      JsonNode n = JSON.readTree(json.toFile());
      if (!request.equals(n.path("request").asText()) || !capability.equals(n.path("capability").asText())
          || !provider.equals(n.path("provider").asText())
          || !store.get(at.get().file("step-" + index + ".onnx"), model)) {
        return Optional.empty();
      }
      Map<String, WeightMask> masks = new LinkedHashMap<>();
      for (JsonNode m : n.path("masks")) {
        Mask mask = JSON.treeToValue(m, Mask.class);
        masks.put(mask.weight(), new WeightMask(mask.node(), mask.weight(), mask.shape(), BitSet.valueOf(mask.zeros())));
      }
      Map<String, LayerQuantization> quantization = new LinkedHashMap<>();
      for (JsonNode q : n.path("quantization")) {
        LayerQuantization l = JSON.treeToValue(q, LayerQuantization.class);
        quantization.put(l.node(), l);
      }
      List<String> compressed = new ArrayList<>();
      n.path("compressed").forEach(c -> compressed.add(c.asText()));
      List<LayerResult> layers = new ArrayList<>();
      for (JsonNode l : n.path("layers")) {
        layers.add(JSON.treeToValue(l, LayerResult.class));
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> summary = JSON.convertValue(n.path("summary"), LinkedHashMap.class);
      TrainingForm form = new TrainingForm(OnnxModel.load(model), masks, quantization, compressed);
      return Optional.of(new Saved(StepResult.of(summary, layers, form), Duration.ofMillis(n.path("durationMs").asLong())));
    } catch (IOException | RuntimeException e) {
      LOG.warn("saved step {} ({}) in {} not usable, running the step again: {}", index, capability,
          at.get().location(), e.toString());
      return Optional.empty();
    } finally {
      deleteQuietly(json);
      deleteQuietly(model);
    }
  }

  /**
   * Saves a finished step: the model first, then the description that makes it count.
   *
   * @param form the training form the step left
   */
  void save(int index, String capability, String provider, StepResult result, TrainingForm form, Duration took) {
    if (at.isEmpty()) {
      return;
    }
    long start = System.nanoTime();
    OutputStore store = at.get().store();
    Path model = null;
    Path json = null;
    try {
      model = temporary("step-" + index, ".onnx");
      form.model().save(model);
      store.put(model, at.get().file("step-" + index + ".onnx"));
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("request", request);
      body.put("capability", capability);
      body.put("provider", provider);
      body.put("durationMs", took.toMillis());
      body.put("summary", result.summary());
      body.put("layers", result.layers());
      body.put("masks", form.masks().values().stream().map(m -> new Mask(m.node(), m.weight(), m.shape(),
          m.zeros().toLongArray())).toList());
      body.put("quantization", form.quantization().values());
      body.put("compressed", form.compressed());
      json = temporary("step-" + index, ".json");
      JSON.writeValue(json.toFile(), body);
      store.put(json, at.get().file("step-" + index + ".json"));
      LOG.info("step {} ({}) saved for resuming in {} in {} ms ({} bytes)", index, capability, at.get().location(),
          (System.nanoTime() - start) / 1_000_000, Files.size(model) + Files.size(json));
    } catch (IOException | RuntimeException e) {
      LOG.warn("step {} ({}) not saved in {}; a later attempt would run it again: {}", index, capability,
          at.get().location(), e.toString());
    } finally {
      deleteQuietly(json);
      deleteQuietly(model);
    }
  }

  private Path temporary(String prefix, String suffix) throws IOException {
    return Files.createTempFile(Files.createDirectories(scratch), "compactor-" + jobId + "-" + prefix + "-", suffix);
  }

  private static void deleteQuietly(Path file) {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        LOG.debug("could not delete {}: {}", file, e.toString());
      }
    }
  }
}
