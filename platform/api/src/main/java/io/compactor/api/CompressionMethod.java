package io.compactor.api;

import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.graph.OnnxModel;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A compression method: the service a bundle provides. Register it as an OSGi service with the
 * properties of {@link Capabilities} (the values must agree with {@link #capability()},
 * {@link #stage()} and {@link #opTypes()}). Implementations are stateless and thread-safe: the host may
 * run several jobs through one instance at once.
 *
 * <p>The chain has AMCT's shape, prepare → retrain → export: the host runs every sparsity step, then every
 * quantization step ({@link #apply}, each handing on the {@link TrainingForm}), then the retraining step
 * when the configuration asks for it, and finally {@link #export} of the quantization provider on the
 * (retrained) form. Without quantization the form's model is the deploy model.
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
   * @return statistics per step and per layer, and the training form with the masks or quantization
   *     parameters the step added
   * @throws StepException when a layer cannot be compressed; name the layer
   * @throws StepCancelledException when {@link StepContext#cancelRequested()} turned true
   */
  StepResult apply(StepContext context);

  /**
   * Builds the deploy model from the training form, after retraining or, without it, after the last step.
   * The quantization capability implements it (fake-quant weights become int8 codes on the form's grids);
   * other methods have nothing to export.
   *
   * @param form the (retrained) training form; do not modify its model
   * @param context the job, warnings and temporary space
   * @return the deploy model; empty when this method has no separate deploy form
   * @throws StepException when the form cannot be exported; name the layer
   * @since 1.3.0
   */
  default Optional<OnnxModel> export(TrainingForm form, ExportContext context) {
    return Optional.empty();
  }

  /**
   * Lists the operators of a whole model this method cannot run at all, before any work starts: a
   * retraining provider names the operators it cannot train, so {@code plan} shows whether retraining
   * applies and a job can fail naming them (or skip retraining) instead of failing midway.
   *
   * @param model the model as the compression steps will leave it (the plan's input); do not modify it
   * @return the operators it cannot run, in graph order; empty when it can run every operator
   * @since 1.3.0
   */
  default List<UnsupportedOperator> unsupportedOperators(OnnxModel model) {
    return List.of();
  }
}
