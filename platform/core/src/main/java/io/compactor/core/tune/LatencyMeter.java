package io.compactor.core.tune;

import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.runtime.Evaluation;
import io.compactor.onnx.runtime.Latency;
import io.compactor.onnx.runtime.ModelSession;
import io.compactor.onnx.tensor.Tensor;
import java.util.ArrayList;
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
   * One round of the contenders' timing ({@link LatencyRace}): each model against the reference. By default one
   * {@link #ratio} after another; {@link #inTurns} times them all in one rotation, so a change of load falls on the
   * reference and every model alike.
   *
   * @param models the models timed
   * @param reference the model they are compared with
   * @return per model, in order, its time per batch over the reference's
   */
  default double[] ratios(List<OnnxModel> models, OnnxModel reference) {
    return models.stream().mapToDouble(m -> ratio(m, reference)).toArray();
  }

  /**
   * @param batch one batch of the eval data, the batch the baseline's latency is timed on
   * @return a meter that opens the reference and the models in ONNX Runtime on {@link #THREADS} thread and times
   *     them run by run, in turns ({@link Evaluation#latencies}), so a change of load falls on all alike; the medians
   *     are compared
   */
  static LatencyMeter inTurns(Map<String, Tensor> batch) {
    return new LatencyMeter() {
      @Override
      public double ratio(OnnxModel model, OnnxModel reference) {
        return ratios(List.of(model), reference)[0];
      }

      @Override
      public double[] ratios(List<OnnxModel> models, OnnxModel reference) {
        List<ModelSession> sessions = new ArrayList<>();
        try {
          sessions.add(ModelSession.open(reference, THREADS));
          for (OnnxModel m : models) {
            sessions.add(ModelSession.open(m, THREADS));
          }
          List<Latency> l = Evaluation.latencies(sessions, batch, WARMUP, RUNS);
          return l.subList(1, l.size()).stream().mapToDouble(x -> x.medianMillis() / l.get(0).medianMillis())
              .toArray();
        } finally {
          sessions.forEach(ModelSession::close);
        }
      }
    };
  }
}
