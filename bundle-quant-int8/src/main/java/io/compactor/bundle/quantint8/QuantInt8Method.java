package io.compactor.bundle.quantint8;

import io.compactor.api.Capabilities;
import io.compactor.api.CompressionMethod;
import io.compactor.api.Eligibility;
import io.compactor.api.ExportContext;
import io.compactor.api.Stage;
import io.compactor.api.StepContext;
import io.compactor.api.StepResult;
import io.compactor.api.TrainingForm;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.graph.OnnxModel;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.osgi.service.component.annotations.Component;

/**
 * Capability {@code quant.int8}: INT8 quantization of Conv, ConvTranspose, Gemm and MatMul with a constant
 * float weight, and of embedding tables (Gather on a constant table, {@link EmbeddingTable}), retrained layer by layer on calibration data without a training framework (ULQ-style
 * activation ranges by error-minimizing search, ARQ-style symmetric weights with GPTQ rounding). The
 * context model becomes the float fake-quant simulation, described in the training form
 * ({@link io.compactor.api.TrainingForm#quantization()}); {@link #export} turns the (retrained) form into the
 * QDQ deploy model. Stateless; per-job state lives in the {@link StepContext}.
 */
@Component(property = {
    "compactor.capability=quant.int8", "compactor.stage=quantization",
    "compactor.op-types=Conv", "compactor.op-types=ConvTranspose", "compactor.op-types=Gemm",
    "compactor.op-types=MatMul", "compactor.op-types=Gather",
    "service.ranking:Integer=0"})
public final class QuantInt8Method implements CompressionMethod {
  static final String CAPABILITY = Capabilities.QUANT_INT8;
  /** The layers with a weight input. */
  static final Set<String> WEIGHT_OP_TYPES = Set.of("Conv", "ConvTranspose", "Gemm", "MatMul");
  /** Every op type: the weight layers and embedding tables ({@link EmbeddingTable}). */
  static final Set<String> OP_TYPES = Set.of("Conv", "ConvTranspose", "Gemm", "MatMul", EmbeddingTable.OP_TYPE);

  private final QuantOptions options;

  /** The service: GPTQ-retrained weights with the default options. */
  public QuantInt8Method() {
    this(QuantOptions.DEFAULTS);
  }

  QuantInt8Method(QuantOptions options) {
    this.options = Objects.requireNonNull(options, "options");
  }

  @Override
  public String capability() {
    return CAPABILITY;
  }

  @Override
  public Stage stage() {
    return Stage.QUANTIZATION;
  }

  @Override
  public Set<String> opTypes() {
    return OP_TYPES;
  }

  @Override
  public Eligibility eligibility(Graph graph, Node node) {
    Objects.requireNonNull(graph, "graph");
    Objects.requireNonNull(node, "node");
    return node.opType().equals(EmbeddingTable.OP_TYPE) ? EmbeddingTable.check(graph, node)
        : WeightInput.check(graph, node, WEIGHT_OP_TYPES);
  }

  @Override
  public StepResult apply(StepContext context) {
    return new QuantInt8Step(Objects.requireNonNull(context, "context"), options).run();
  }

  /**
   * Builds the QDQ deploy model from the training form: the float weights (trained or not) become int8 codes
   * on the form's grids, biases int32 on {@code input scale × weight scale} with the input scale read from
   * the model, and the 2:4 pattern of the form's masks is proven on the codes.
   */
  @Override
  public Optional<OnnxModel> export(TrainingForm form, ExportContext context) {
    Objects.requireNonNull(context, "context");
    return Optional.of(new Int8Export(Objects.requireNonNull(form, "form")).run());
  }
}
