package io.compactor.bundle.retraindistill.program.ops;

import static io.compactor.bundle.retraindistill.program.ops.OpSupport.one;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.LayerNorm;
import io.compactor.bundle.retraindistill.program.ConverterRegistry;
import io.compactor.bundle.retraindistill.program.OpContext;
import io.compactor.bundle.retraindistill.program.OpConverter;
import io.compactor.bundle.retraindistill.program.OpInputs;
import io.compactor.onnx.graph.Node;
import java.util.Optional;

/**
 * Normalizations: BatchNormalization in inference form (the running statistics are held; scale and bias
 * train) and LayerNormalization over the trailing axes from {@code axis}.
 */
public final class NormOps {
  private NormOps() {}

  public static void register(ConverterRegistry.Builder r) {
    r.add("BatchNormalization", 7, new OpConverter() {
      @Override
      public NDList apply(Node n, OpInputs in, OpContext ctx) {
        NDArray x = in.get(0);
        int rank = x.getShape().dimension();
        float eps = n.attrFloat("epsilon", 1e-5f);
        NDArray inv = OpSupport.alongAxis(in.get(4).add(eps).sqrt(), 1, rank);
        NDArray scale = OpSupport.alongAxis(in.get(1), 1, rank);
        NDArray bias = OpSupport.alongAxis(in.get(2), 1, rank);
        NDArray mean = OpSupport.alongAxis(in.get(3), 1, rank);
        return one(x.sub(mean).div(inv).mul(scale).add(bias));
      }

      @Override
      public Optional<String> unsupported(Node n) {
        if (n.attrInt("training_mode", 0) != 0) {
          return Optional.of("training_mode = 1 (batch statistics) is not supported; export the model in eval mode");
        }
        if (n.outputs().stream().skip(1).anyMatch(o -> !o.isEmpty())) {
          return Optional.of("the running-statistics outputs are not supported; export the model in eval mode");
        }
        return Optional.empty();
      }
    });
    r.add("LayerNormalization", 17, new OpConverter() {
      @Override
      public NDList apply(Node n, OpInputs in, OpContext ctx) {
        NDArray x = in.get(0);
        long[] shape = x.getShape().getShape();
        int axis = OpSupport.axis(n.attrInt("axis", -1), shape.length);
        Shape normalized = new Shape(java.util.Arrays.copyOfRange(shape, axis, shape.length));
        NDArray gamma = in.get(1);
        NDArray beta = in.has(2) ? in.get(2) : ctx.manager().zeros(gamma.getShape(), gamma.getDataType());
        if (!gamma.getShape().equals(normalized)) {
          gamma = gamma.broadcast(normalized);
          beta = beta.broadcast(normalized);
        }
        return one(LayerNorm.layerNorm(x, normalized, gamma, beta, n.attrFloat("epsilon", 1e-5f)).head());
      }

      @Override
      public Optional<String> unsupported(Node n) {
        if (n.outputs().stream().skip(1).anyMatch(o -> !o.isEmpty())) {
          return Optional.of("the Mean and InvStdDev outputs are not supported");
        }
        if (n.attrInt("stash_type", 1) != 1) {
          return Optional.of("stash_type " + n.attrInt("stash_type", 1) + " is not supported; only 1 (float)");
        }
        return Optional.empty();
      }
    });
  }
}
