package io.compactor.api;

import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import java.util.Set;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A compression method: the service a bundle provides. Register it as an OSGi service with the
 * properties of {@link Capabilities} (the values must agree with {@link #capability()},
 * {@link #stage()} and {@link #opTypes()}). Implementations are stateless and thread-safe: the host may
 * run several jobs through one instance at once.
 */
@ConsumerType
public interface CompressionMethod {
  /** @return the capability provided, e.g. {@value Capabilities#SPARSITY_2OF4} */
  String capability();

  /** @return where the method runs in the chain */
  Stage stage();

  /** @return the ONNX op types the method can handle, e.g. Conv, Gemm, MatMul */
  Set<String> opTypes();

  /**
   * Decides whether one operator can take this method, before any work starts. Called for every
   * operator the configuration selects whose op type is in {@link #opTypes()}.
   *
   * @param graph the model's graph, Constant nodes normalized to initializers; do not modify it
   * @param node the operator
   * @return {@link Eligibility#ELIGIBLE} or the reason it cannot be compressed
   */
  Eligibility eligibility(Graph graph, Node node);

  /**
   * Compresses {@link StepContext#layers()} of {@link StepContext#model()} in place.
   *
   * @param context the job's model, plan slice, calibration data, progress and cancellation
   * @return statistics per step and per layer, and a deploy model when it differs
   * @throws StepException when a layer cannot be compressed; name the layer
   * @throws StepCancelledException when {@link StepContext#cancelRequested()} turned true
   */
  StepResult apply(StepContext context);
}
