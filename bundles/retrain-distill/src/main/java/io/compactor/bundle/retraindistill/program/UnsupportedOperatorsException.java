package io.compactor.bundle.retraindistill.program;

import io.compactor.onnx.ModelException;
import java.util.List;
import java.util.stream.Collectors;

/** A model with nodes the translator cannot run; every such node is named. */
public final class UnsupportedOperatorsException extends ModelException {
  private static final long serialVersionUID = 1L;
  private final transient List<UnsupportedNode> nodes;

  /**
   * @param model the model's source
   * @param nodes the nodes that cannot be run, at least one
   */
  public UnsupportedOperatorsException(String model, List<UnsupportedNode> nodes) {
    super(model, null, nodes.size() + " node(s) cannot be retrained: " + nodes.stream().limit(10)
        .map(UnsupportedNode::toString).collect(Collectors.joining("; "))
        + (nodes.size() > 10 ? "; ..." : "") + "; retrain without them (on_unsupported: SKIP) or "
        + "add a converter (docs/retrain-distill.md)");
    this.nodes = List.copyOf(nodes);
  }

  /** @return the nodes that cannot be run */
  public List<UnsupportedNode> nodes() {
    return nodes;
  }
}
