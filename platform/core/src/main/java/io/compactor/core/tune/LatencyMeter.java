package io.compactor.core.tune;

import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.runtime.Evaluation;
import io.compactor.onnx.runtime.Latency;
import io.compactor.onnx.runtime.ModelSession;
import io.compactor.onnx.tensor.Tensor;
import java.util.List;
import java.util.Map;

/**
 * How much slower or faster one model runs than another, timed in turns on the same batch: what
 * {@code --objective latency} decides by. An interface so a test can give the search latencies it decides on
 * (real timings are not repeatable); everything else a test runs is real.
 */
@FunctionalInterface
interface LatencyMeter {
  /** Unmeasured runs of each model before timing. */
  int WARMUP = 2;
  /** Timed runs of each model, in turns; their medians are compared. */
  int RUNS = 20;
  /**
   * Intra-op threads of the timed sessions. One: on a machine other work shares, ONNX Runtime's spinning thread
   * pool makes a two-thread run wait for a core (the PP-OCR classifier at a load average of 7: 81 ms at best on
   * two threads, 21 ms on one; the ratio of two identical models moved by ±7-27 % on two threads, ±4 % on one).
   * The kernels an operator runs, and so whether its INT8 form pays, are the same.
   */
  int THREADS = 1;

  /**
   * @param model the model timed
   * @param reference the model it is compared with, usually the original
   * @return the time per batch of {@code model} over that of {@code reference}: below 1 is faster
   */
  double ratio(OnnxModel model, OnnxModel reference);

  /**
   * @param batch one batch of the eval data, the batch the baseline's latency is timed on
   * @return a meter that opens both models in ONNX Runtime on {@link #THREADS} thread and times them run by run,
   *     in turns ({@link Evaluation#latencies}), so a change of load falls on both alike; the medians are compared
   */
  static LatencyMeter inTurns(Map<String, Tensor> batch) {
    return (model, reference) -> {
      try (ModelSession r = ModelSession.open(reference, THREADS); ModelSession m = ModelSession.open(model, THREADS)) {
        List<Latency> l = Evaluation.latencies(List.of(r, m), batch, WARMUP, RUNS);
        return l.get(1).medianMillis() / l.get(0).medianMillis();
      }
    };
  }
}
