package io.compactor.core.output;

import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.runtime.Dataset;
import io.compactor.onnx.runtime.Evaluation;
import io.compactor.onnx.runtime.Fidelity;
import io.compactor.onnx.runtime.Latency;
import io.compactor.onnx.runtime.ModelSession;
import io.compactor.onnx.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Measures a compressed model against the original in ONNX Runtime, side by side in one run: top-1
 * accuracy when the data has labels, fidelity of the first output (cosine, agreement, max error), and
 * latency of one batch.
 */
public final class Evaluator {
  private static final int WARMUP = 3;
  private static final int RUNS = 10;

  private Evaluator() {}

  /**
   * What the evaluation found.
   *
   * @param output the output compared
   * @param accuracyOriginal top-1 of the original, when labels exist
   * @param accuracyCompressed top-1 of the compressed model, when labels exist
   * @param fidelity the compressed model's first output against the original's
   * @param latencyOriginal one batch through the original
   * @param latencyCompressed one batch through the compressed model
   * @param samples samples evaluated
   */
  public record Quality(String output, Optional<Double> accuracyOriginal, Optional<Double> accuracyCompressed,
      Fidelity fidelity, Latency latencyOriginal, Latency latencyCompressed, int samples) {
    Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("samples", samples);
      m.put("output", output);
      accuracyOriginal.ifPresent(a -> m.put("top1Original", a));
      accuracyCompressed.ifPresent(a -> m.put("top1Compressed", a));
      m.put("meanCosine", fidelity.meanCosine());
      m.put("worstCosine", fidelity.worstCosine());
      m.put("top1Agreement", fidelity.top1Agreement());
      m.put("maxAbsError", fidelity.maxAbsError());
      m.put("latencyOriginalMs", latencyOriginal.medianMillis());
      m.put("latencyCompressedMs", latencyCompressed.medianMillis());
      m.put("latencyBatch", latencyOriginal.batchSize());
      return m;
    }
  }

  /**
   * @param original the model before compression
   * @param compressed the deploy model
   * @param data evaluation samples, with {@code labels.npy} for top-1
   * @param batchSize samples per ONNX Runtime run
   * @return both models measured side by side
   */
  public static Quality evaluate(OnnxModel original, OnnxModel compressed, Dataset data, int batchSize) {
    String output = original.graph().outputs().get(0).name();
    Map<String, Tensor> batch = data.batch(0, Math.min(batchSize, data.size()));
    Tensor before;
    Tensor after;
    Latency latencyBefore;
    Latency latencyAfter;
    try (ModelSession a = ModelSession.open(original); ModelSession b = ModelSession.open(compressed)) {
      before = requireFinite(Evaluation.runAll(a, data, batchSize).get(output), "the original model", output);
      after = requireFinite(Evaluation.runAll(b, data, batchSize).get(output), "the deploy model", output);
      // in turns: the ratio of the two is what a report and the tuner's latency objective compare
      List<Latency> latencies = Evaluation.latencies(List.of(a, b), batch, WARMUP, RUNS);
      latencyBefore = latencies.get(0);
      latencyAfter = latencies.get(1);
    }
    Optional<Tensor> labels = data.labels();
    return new Quality(output, labels.map(l -> Evaluation.top1Accuracy(before, l)),
        labels.map(l -> Evaluation.top1Accuracy(after, l)), Evaluation.fidelity(before, after), latencyBefore,
        latencyAfter, data.size());
  }

  /** A NaN in an output would make every figure of the report NaN; say where it came from instead. */
  private static Tensor requireFinite(Tensor values, String model, String output) {
    float[] v = values.toFloats();
    long perSample = Math.max(1, v.length / Math.max(1, values.dim(0)));
    for (int i = 0; i < v.length; i++) {
      if (!Float.isFinite(v[i])) {
        throw new EvaluationException(model + " produced " + v[i] + " in output '" + output + "' for eval sample "
            + i / perSample + " (element " + i + ")" + (model.startsWith("the original")
                ? ": the eval data drives the original model out of range; check that sample"
                : " where the original's output is finite: the compression broke the model on this input"));
      }
    }
    return values;
  }

  /** The models ran but their outputs cannot be compared. */
  public static final class EvaluationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    EvaluationException(String reason) {
      super(reason);
    }
  }
}
