package io.compactor.bundle.retraindistill;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import io.compactor.onnx.npy.Npy;
import io.compactor.onnx.tensor.Tensor;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Top-1 of a deploy model with ONNX Runtime's graph optimizations off: every QuantizeLinear / DequantizeLinear
 * pair runs as written and the convolutions in float on dequantized int8 weights, which is exact integer math
 * up to float rounding — what the trainer simulates, and what a machine with VNNI computes. With optimizations
 * on, ONNX Runtime fuses the pairs into int8 kernels whose AVX2 path (no VNNI) adds products in saturating int16
 * ({@code docs/quant-int8.md}, "Why 7-bit weights"), so the chain's own evaluation on such a machine can
 * differ.
 */
final class ExactTop1 {
  private static final int BATCH = 64;

  private ExactTop1() {}

  /**
   * @param model an ONNX model with one float input and one {@code [N, classes]} output
   * @param eval a directory with {@code <input>.npy} and {@code labels.npy}
   * @return how many eval samples the model gets right
   */
  static int correct(Path model, Path eval) {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setOptimizationLevel(OptLevel.NO_OPT);
      options.setIntraOpNumThreads(1);
      try (OrtSession session = env.createSession(Files.readAllBytes(model), options)) {
        String input = session.getInputNames().iterator().next();
        Tensor images = Npy.read(eval.resolve(input + ".npy"));
        long[] labels = Npy.read(eval.resolve("labels.npy")).toLongs();
        float[] all = images.toFloats();
        long[] shape = images.shape();
        int per = all.length / (int) shape[0];
        int correct = 0;
        for (int from = 0; from < shape[0]; from += BATCH) {
          int n = (int) Math.min(BATCH, shape[0] - from);
          long[] batchShape = shape.clone();
          batchShape[0] = n;
          FloatBuffer data = FloatBuffer.wrap(Arrays.copyOfRange(all, from * per, (from + n) * per));
          try (OnnxTensor t = OnnxTensor.createTensor(env, data, batchShape);
              OrtSession.Result r = session.run(Map.of(input, t))) {
            float[][] scores = (float[][]) r.get(0).getValue();
            for (int i = 0; i < n; i++) {
              correct += argmax(scores[i]) == labels[from + i] ? 1 : 0;
            }
          }
        }
        return correct;
      }
    } catch (OrtException | java.io.IOException e) {
      throw new IllegalStateException(model + ": " + e.getMessage(), e);
    }
  }

  private static int argmax(float[] v) {
    int best = 0;
    for (int k = 1; k < v.length; k++) {
      best = v[k] > v[best] ? k : best;
    }
    return best;
  }

  /** @return {@link #correct} of each run's deploy model */
  static int[] of(List<ChainRun> runs, Path eval) {
    return runs.stream().mapToInt(r -> correct(r.output().resolve("model.deploy.onnx"), eval)).toArray();
  }
}
