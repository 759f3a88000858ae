package io.compactor.bundle.retraindistill.program;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.runtime.ModelSession;
import io.compactor.onnx.tensor.Tensor;
import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.Map;

/** Runs a model on ONNX Runtime and as a differentiable program on the same feeds and compares the outputs. */
final class Equivalence {
  /** Largest difference allowed, relative to the largest reference value (at least 1). */
  static final double TOLERANCE = 1e-4;
  private static final NDManager ROOT = Engine.getEngine("PyTorch").newBaseManager();

  private Equivalence() {}

  /** @return a manager on the PyTorch engine for one test; close it */
  static NDManager manager() {
    return ROOT.newSubManager();
  }

  /** @return the largest difference over all outputs, relative to output scale, after asserting shapes */
  static double check(OnnxModel model, Map<String, Tensor> feeds) {
    return check(model, feeds, TOLERANCE);
  }

  static double check(OnnxModel model, Map<String, Tensor> feeds, double tolerance) {
    Map<String, Tensor> expected;
    try (ModelSession session = ModelSession.open(model, 1)) {
      expected = session.run(feeds);
    }
    return compare(model, expected, run(model, feeds), tolerance);
  }

  /**
   * Against ONNX Runtime with its graph optimizations off: its QDQ transformers quantize the float weights of a
   * Conv behind a QuantizeLinear/DequantizeLinear activation pair themselves, which is no longer the float
   * simulation the model describes.
   */
  static double checkUnoptimized(OnnxModel model, Map<String, Tensor> floatFeeds) {
    Map<String, Tensor> expected = new HashMap<>();
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
      options.setIntraOpNumThreads(1);
      Map<String, OnnxTensor> in = new HashMap<>();
      try (OrtSession session = env.createSession(model.toBytes(), options)) {
        for (Map.Entry<String, Tensor> f : floatFeeds.entrySet()) {
          in.put(f.getKey(), OnnxTensor.createTensor(env, FloatBuffer.wrap(f.getValue().floats()), f.getValue().shape()));
        }
        try (OrtSession.Result r = session.run(in)) {
          for (Map.Entry<String, OnnxValue> e : r) {
            OnnxTensor t = (OnnxTensor) e.getValue();
            FloatBuffer b = t.getFloatBuffer();
            float[] v = new float[b.remaining()];
            b.get(v);
            expected.put(e.getKey(), Tensor.ofFloats(t.getInfo().getShape(), v));
          }
        }
      } finally {
        in.values().forEach(OnnxTensor::close);
      }
    } catch (OrtException e) {
      throw new AssertionError(model.source() + ": ONNX Runtime failed: " + e.getMessage(), e);
    }
    return compare(model, expected, run(model, floatFeeds), TOLERANCE);
  }

  private static double compare(OnnxModel model, Map<String, Tensor> expected, Map<String, Tensor> actual,
      double tolerance) {
    double worst = 0;
    for (Map.Entry<String, Tensor> e : expected.entrySet()) {
      Tensor got = actual.get(e.getKey());
      assertArrayEquals(e.getValue().shape(), got.shape(), model.source() + ": shape of output " + e.getKey());
      float[] want = e.getValue().toFloats();
      float[] have = got.toFloats();
      double scale = 1;
      double diff = 0;
      for (int i = 0; i < want.length; i++) {
        scale = Math.max(scale, Math.abs(want[i]));
        diff = Math.max(diff, Math.abs(want[i] - have[i]));
      }
      double relative = diff / scale;
      worst = Math.max(worst, relative);
      assertTrue(relative <= tolerance, model.source() + ": output " + e.getKey() + " differs from ONNX Runtime by "
          + diff + " (scale " + scale + ", relative " + relative + " > " + tolerance + ")");
    }
    return worst;
  }

  /** @return the program's outputs on {@code feeds}, every float initializer trainable */
  static Map<String, Tensor> run(OnnxModel model, Map<String, Tensor> feeds) {
    return run(model, feeds, 1);
  }

  /**
   * Runs {@code passes} forward passes of one program, each in its own scope (the second and later reuse the
   * folded values), and asserts that they agree bit for bit.
   *
   * @return the outputs of the last pass
   */
  static Map<String, Tensor> run(OnnxModel model, Map<String, Tensor> feeds, int passes) {
    try (NDManager m = manager();
        DifferentiableProgram program = DifferentiableProgram.build(model, Trainables.weights(model), m,
            ConverterRegistry.standard())) {
      Map<String, Tensor> previous = null;
      Map<String, Tensor> out = null;
      for (int pass = 0; pass < passes; pass++) {
        out = new HashMap<>();
        try (NDManager scope = m.newSubManager()) {
          Map<String, NDArray> in = new HashMap<>();
          feeds.forEach((k, v) -> in.put(k, NdTensors.toNd(scope, v)));
          Map<String, Tensor> current = out;
          program.forward(scope, in).forEach((k, v) -> current.put(k, NdTensors.toTensor(v)));
        }
        if (previous != null) {
          org.junit.jupiter.api.Assertions.assertEquals(previous, out, model.source() + ": pass " + pass
              + " differs from the one before");
        }
        previous = out;
      }
      return out;
    }
  }
}
