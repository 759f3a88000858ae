package io.compactor.bundle.magnitude2of4;

import io.compactor.api.Capabilities;
import io.compactor.api.CompressionMethod;
import io.compactor.api.Eligibility;
import io.compactor.api.LayerProgress;
import io.compactor.api.LayerTask;
import io.compactor.api.Stage;
import io.compactor.api.StepContext;
import io.compactor.api.StepException;
import io.compactor.api.StepResult;
import io.compactor.api.TwoOfFourKeys;
import io.compactor.api.WeightMask;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.tensor.ElementType;
import io.compactor.onnx.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.osgi.service.component.annotations.Component;

/**
 * Capability {@value Capabilities#SPARSITY_2OF4} by magnitude alone: in every group of four weights along the
 * input channels, the two smallest are zeroed, without retraining. Ranked -10, so the built-in provider
 * (ranking 0, with reconstruction) is chosen whenever it is installed. Reads its settings with the api's
 * {@link TwoOfFourKeys}. Stateless.
 */
@Component(property = {
    Capabilities.PROPERTY_CAPABILITY + "=" + Capabilities.SPARSITY_2OF4, Capabilities.PROPERTY_STAGE + "=sparsity",
    "compactor.op-types=Conv", "compactor.op-types=Gemm", "compactor.op-types=MatMul",
    "service.ranking:Integer=-10"})
public final class MagnitudeTwoOfFour implements CompressionMethod {
  private static final String CAPABILITY = Capabilities.SPARSITY_2OF4;
  private static final Set<String> OP_TYPES = Set.of("Conv", "Gemm", "MatMul");

  @Override
  public String capability() {
    return CAPABILITY;
  }

  @Override
  public Stage stage() {
    return Stage.SPARSITY;
  }

  @Override
  public Set<String> opTypes() {
    return OP_TYPES;
  }

  @Override
  public Eligibility eligibility(Graph graph, Node node) {
    if (!OP_TYPES.contains(node.opType())) {
      return Eligibility.ineligible("op type " + node.opType() + " is not handled; use Conv, Gemm or MatMul");
    }
    if (node.inputs().size() < 2 || !graph.isConstant(node.input(1))
        || graph.initializerTypeCode(node.input(1)) != ElementType.FLOAT.onnxCode()) {
      return Eligibility.ineligible("input 1 is not a constant FLOAT weight");
    }
    long[] shape = graph.initializerShape(node.input(1)).orElseThrow();
    int expectedRank = node.opType().equals("Conv") ? 4 : 2;
    if (shape.length != expectedRank) {
      return Eligibility.ineligible("weight of rank " + shape.length + ", expected " + expectedRank);
    }
    if (node.opType().equals("Conv") && node.attrInt("group", 1) != 1) {
      return Eligibility.ineligible("grouped convolution (group = " + node.attrInt("group", 1) + ")");
    }
    long inputChannels = shape[inputAxis(node)];
    if (inputChannels % 4 != 0) {
      return Eligibility.ineligible("input channels " + inputChannels + " are not a multiple of 4");
    }
    return Eligibility.ELIGIBLE;
  }

  @Override
  public StepResult apply(StepContext context) {
    Graph graph = context.model().graph();
    // the shared skeleton: results and progress in task order, failures named by layer
    LayerProgress progress = new LayerProgress(context, CAPABILITY);
    List<WeightMask> masks = new ArrayList<>();
    for (LayerTask task : context.layers()) {
      context.throwIfCancelled();
      progress.start(task.node());
      // the pattern key allows only M4N2; update_freq is not read: magnitude masks are chosen once, up front
      TwoOfFourKeys.N_OUT_OF_M_TYPE.get(task);
      Node node = graph.node(task.node())
          .orElseThrow(() -> new StepException(CAPABILITY, task.node(), "no such node in the model"));
      Eligibility eligibility = eligibility(graph, node);
      if (!eligibility.eligible()) {
        throw new StepException(CAPABILITY, task.node(), eligibility.reason());
      }
      Tensor weight = graph.initializer(node.input(1)).orElseThrow();
      float[] values = weight.floats();
      int zeroed = TwoOfFourMask.apply(values, weight.shape(), inputAxis(node));
      graph.setInitializer(node.input(1), Tensor.ofFloats(weight.shape(), values));
      // declare the zeros so retraining keeps them and the export can prove them
      masks.add(WeightMask.ofZeros(task.node(), node.input(1), graph.initializer(node.input(1)).orElseThrow()));
      progress.finish(task.node(), Map.of("sparsity", zeroed / (double) values.length));
    }
    return StepResult.of(Map.of("layers", context.layers().size(), "retrained", false), progress.results(),
        context.form().withMasks(masks));
  }

  /** The weight axis that runs along the input channels: Conv W[Cout,Cin,kh,kw], MatMul W[K,N], Gemm B. */
  private static int inputAxis(Node node) {
    return switch (node.opType()) {
      case "Conv" -> 1;
      case "Gemm" -> node.attrInt("transB", 0) == 1 ? 1 : 0;
      default -> 0;
    };
  }
}
