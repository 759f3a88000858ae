package io.compactor.bundle.prunefilter;

import io.compactor.api.Capabilities;
import io.compactor.api.CompressionMethod;
import io.compactor.api.Eligibility;
import io.compactor.api.Stage;
import io.compactor.api.StepContext;
import io.compactor.api.StepResult;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.graph.OnnxModel;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.osgi.service.component.annotations.Component;

/**
 * Capability {@code sparsity.filter}: balanced L2 filter pruning (AMCT's BCP) of Conv, Gemm and MatMul
 * with graph-wide channel propagation, physical removal of the pruned channels and a least-squares re-fit of
 * their consumers on the calibration data. Stateless; per-job state lives in the {@link StepContext} and in
 * objects created per {@link #apply} call.
 */
@Component(property = {
    "compactor.capability=sparsity.filter", "compactor.stage=sparsity",
    "compactor.op-types=Conv", "compactor.op-types=Gemm", "compactor.op-types=MatMul",
    "service.ranking:Integer=0"})
public final class FilterPruneMethod implements CompressionMethod {
  static final String CAPABILITY = Capabilities.SPARSITY_FILTER;
  private final FilterPruneOptions options;

  /** The service: pruning with the consumer re-fit. */
  public FilterPruneMethod() {
    this(FilterPruneOptions.DEFAULTS);
  }

  FilterPruneMethod(FilterPruneOptions options) {
    this.options = Objects.requireNonNull(options, "options");
  }

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
    return ChannelOps.PRODUCERS;
  }

  /**
   * Eligible when the operator's filters can be removed on their own (see {@link FilterProducer}) and its
   * channels can be followed through the graph to every reader. Residual partners that the plan leaves out
   * are found only when the step runs (it then keeps the group and says why).
   */
  @Override
  public Eligibility eligibility(Graph graph, Node node) {
    Objects.requireNonNull(graph, "graph");
    Objects.requireNonNull(node, "node");
    Eligibility own = FilterProducer.check(graph, node, ChannelOps.PRODUCERS);
    if (!own.eligible()) {
      return own;
    }
    try {
      for (ChannelGroup g : ChannelPropagation.analyse(graph, OnnxModel.MAX_OPSET)) {
        if (g.producers().contains(node.name()) && !g.prunable()) {
          List<String> why = g.blocked();
          return Eligibility.ineligible("its channels cannot be followed: " + why.get(0)
              + (why.size() > 1 ? " (and " + (why.size() - 1) + " more)" : ""));
        }
      }
    } catch (RuntimeException e) {
      return Eligibility.ineligible("the graph around it cannot be analysed: " + e.getMessage());
    }
    return Eligibility.ELIGIBLE;
  }

  @Override
  public StepResult apply(StepContext context) {
    return new FilterPruneStep(Objects.requireNonNull(context, "context"), options).run();
  }
}
