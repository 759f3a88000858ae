package io.compactor.core.kafka;

import io.compactor.core.job.Cancellation;
import io.compactor.core.job.CheckpointLocation;
import io.compactor.core.job.EventSink;
import io.compactor.core.job.EventType;
import io.compactor.core.job.JobEvent;
import io.compactor.core.job.JobExecutor;
import io.compactor.core.job.JobRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A job executor for transport tests: it walks {@code layers} "layers" of {@code millisPerLayer} each,
 * publishing the same progress events as the real chain, checks cancellation between layers and writes
 * the three output files. It counts how often each job ran, which the tests use to prove that no job
 * was computed twice.
 */
final class LayerLoopExecutor implements JobExecutor {
  final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
  /** Characters of filler in the summary of these jobs' completed events, to make them large. */
  final Map<String, Integer> summaryFiller = new ConcurrentHashMap<>();
  /** Written into the output files after the job id, to tell which instance's outputs survived. */
  volatile String mark = "";
  private final int layers;
  private final long millisPerLayer;

  LayerLoopExecutor(int layers, long millisPerLayer) {
    this.layers = layers;
    this.millisPerLayer = millisPerLayer;
  }

  int runs(String jobId) {
    return runs.getOrDefault(jobId, new AtomicInteger()).get();
  }

  @Override
  public JobEvent execute(JobRequest request, EventSink events, Cancellation cancellation,
      Optional<CheckpointLocation> checkpoints) {
    String id = request.jobId();
    runs.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
    events.publish(JobEvent.of(EventType.PLANNED, id, Map.of("operators", layers, "combinations",
        Map.of("2of4+int8", layers), "steps", List.of(Map.of("capability", "sparsity.2of4", "layers", layers)),
        "plan", List.of())));
    events.publish(JobEvent.of(EventType.STEP_STARTED, id, Map.of("capability", "sparsity.2of4", "stage", "sparsity",
        "index", 1, "steps", 1, "layers", layers, "provider", Map.of("bundle", "test", "version", "1.0.0"))));
    for (int i = 1; i <= layers; i++) {
      if (cancellation.requested()) {
        return JobEvent.of(EventType.CANCELLED, id, Map.of("capability", "sparsity.2of4", "layer", "layer" + i));
      }
      try {
        Thread.sleep(millisPerLayer); // stands in for one layer's work
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return JobEvent.of(EventType.CANCELLED, id, Map.of("layer", "layer" + i));
      }
      events.publish(JobEvent.of(EventType.STEP_PROGRESS, id, Map.of("capability", "sparsity.2of4", "done", i,
          "total", layers, "percent", 100.0 * i / layers, "layer", "layer" + i)));
    }
    Path out = Path.of(request.output());
    try {
      Files.createDirectories(out);
      for (String f : List.of("model.deploy.onnx", "model.fakequant.onnx", "report.json")) {
        Files.writeString(out.resolve(f), id + mark);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return JobEvent.of(EventType.COMPLETED, id, Map.of("outputs", Map.of(
        "deployModel", out.resolve("model.deploy.onnx").toString(),
        "fakequantModel", out.resolve("model.fakequant.onnx").toString(),
        "report", out.resolve("report.json").toString()), "summary", Map.of("compressionRatio", 2.0, "note",
        "n".repeat(summaryFiller.getOrDefault(id, 0)))));
  }
}
