package io.compactor.onnx.runtime;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.compactor.onnx.ModelException;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.tensor.ElementType;
import io.compactor.onnx.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An ONNX Runtime session over an in-memory model, with its options; both are closed by
 * {@link #close()}. Values go in and come out as {@link Tensor}s, copied, so no native memory escapes
 * a call. Uses the process-wide {@link OrtEnvironment}, which it never closes.
 */
public final class ModelSession implements AutoCloseable {
  private final String model;
  private final OrtEnvironment env;
  private final OrtSession.SessionOptions options;
  private final OrtSession session;

  private ModelSession(String model, OrtEnvironment env, OrtSession.SessionOptions options, OrtSession session) {
    this.model = model;
    this.env = env;
    this.options = options;
    this.session = session;
  }

  /** Opens a session using all cores for intra-op parallelism. */
  public static ModelSession open(OnnxModel model) {
    return open(model, Runtime.getRuntime().availableProcessors());
  }

  /**
   * @param model the model, serialized as it is now
   * @param threads intra-op threads
   * @return an open session; close it
   * @throws ModelException when ONNX Runtime rejects the model
   */
  public static ModelSession open(OnnxModel model, int threads) {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    try {
      options.setIntraOpNumThreads(threads);
      options.setInterOpNumThreads(1);
      return new ModelSession(model.source(), env, options, env.createSession(model.toBytes(), options));
    } catch (OrtException e) {
      options.close();
      throw new ModelException(model.source(), null, "ONNX Runtime cannot load the model ("
          + e.getCode() + "): " + e.getMessage(), e);
    }
  }

  /** @return the names of the inputs a caller must feed */
  public Set<String> inputNames() {
    return session.getInputNames();
  }

  /** @return the output names in model order */
  public List<String> outputNames() {
    return new ArrayList<>(session.getOutputNames());
  }

  /** Runs the model and returns all outputs. */
  public Map<String, Tensor> run(Map<String, Tensor> feeds) {
    return run(feeds, outputNames());
  }

  /**
   * @param feeds one tensor per model input
   * @param outputs the outputs wanted
   * @return the outputs, copied out of native memory, in the order asked
   * @throws ModelException when ONNX Runtime fails, naming the missing or mismatched input
   */
  public Map<String, Tensor> run(Map<String, Tensor> feeds, List<String> outputs) {
    Map<String, OnnxTensor> inputs = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, Tensor> feed : feeds.entrySet()) {
        inputs.put(feed.getKey(), toOrt(env, feed.getValue()));
      }
      try (OrtSession.Result result = session.run(inputs, Set.copyOf(outputs))) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String name : outputs) {
          OnnxValue value = result.get(name).orElseThrow();
          if (!(value instanceof OnnxTensor tensor)) {
            throw new ModelException(model, name, "output is a " + value.getType()
                + ", not a tensor; Compactor reads tensor outputs only");
          }
          out.put(name, fromOrt(name, tensor));
        }
        return out;
      }
    } catch (OrtException e) {
      throw new ModelException(model, null, "ONNX Runtime failed to run the model (" + e.getCode()
          + "): " + e.getMessage() + "; expected inputs " + describeInputs(), e);
    } finally {
      inputs.values().forEach(OnnxTensor::close);
    }
  }

  private String describeInputs() {
    try {
      List<String> parts = new ArrayList<>();
      for (Map.Entry<String, NodeInfo> e : session.getInputInfo().entrySet()) {
        parts.add(e.getKey() + " " + e.getValue().getInfo());
      }
      return parts.toString();
    } catch (OrtException e) {
      return inputNames().toString();
    }
  }

  static OnnxTensor toOrt(OrtEnvironment env, Tensor t) throws OrtException {
    ByteBuffer data = ByteBuffer.allocateDirect(t.size() * t.type().bytes()).order(ByteOrder.nativeOrder());
    ByteBuffer le = ByteBuffer.wrap(t.bytes()).order(ByteOrder.LITTLE_ENDIAN);
    switch (t.type()) {
      case FLOAT -> data.asFloatBuffer().put(le.asFloatBuffer());
      case DOUBLE -> data.asDoubleBuffer().put(le.asDoubleBuffer());
      case INT64 -> data.asLongBuffer().put(le.asLongBuffer());
      case INT32 -> data.asIntBuffer().put(le.asIntBuffer());
      case INT8, UINT8 -> data.put(le);
    }
    data.rewind();
    OnnxJavaType type = switch (t.type()) {
      case FLOAT -> OnnxJavaType.FLOAT;
      case DOUBLE -> OnnxJavaType.DOUBLE;
      case INT64 -> OnnxJavaType.INT64;
      case INT32 -> OnnxJavaType.INT32;
      case INT8 -> OnnxJavaType.INT8;
      case UINT8 -> OnnxJavaType.UINT8;
    };
    return OnnxTensor.createTensor(env, data, t.shape(), type);
  }

  private Tensor fromOrt(String name, OnnxTensor tensor) {
    TensorInfo info = tensor.getInfo();
    long[] shape = info.getShape();
    int n = Math.toIntExact(Tensor.elementCount(shape));
    return switch (info.type) {
      case FLOAT -> {
        float[] v = new float[n];
        tensor.getFloatBuffer().get(v);
        yield Tensor.ofFloats(shape, v);
      }
      case DOUBLE -> {
        double[] v = new double[n];
        tensor.getDoubleBuffer().get(v);
        yield Tensor.ofDoubles(shape, v);
      }
      case INT64 -> {
        long[] v = new long[n];
        tensor.getLongBuffer().get(v);
        yield Tensor.ofInt64s(shape, v);
      }
      case INT32 -> {
        int[] v = new int[n];
        tensor.getIntBuffer().get(v);
        yield Tensor.ofInt32s(shape, v);
      }
      case INT8 -> Tensor.ofInt8s(shape, bytes(tensor, n));
      case UINT8 -> Tensor.ofUint8s(shape, bytes(tensor, n));
      default -> throw new ModelException(model, name, "output element type " + info.type
          + " is not one Compactor reads (" + List.of(ElementType.values()) + ")");
    };
  }

  private static byte[] bytes(OnnxTensor tensor, int n) {
    byte[] v = new byte[n];
    tensor.getByteBuffer().get(v);
    return v;
  }

  /** Closes the session, then its options. */
  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      throw new IllegalStateException("closing the ONNX Runtime session of " + model + " failed", e);
    } finally {
      options.close();
    }
  }
}
