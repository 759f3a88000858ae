package io.compactor.core.tune;

import io.compactor.core.config.ConfigFile;
import io.compactor.core.config.ConfigFormat;
import io.compactor.core.config.ConfigWriter;
import io.compactor.core.config.proto.AmctRetrainConfigProto.AMCTRetrainConfig;
import io.compactor.core.plan.Compressible;
import io.compactor.core.plan.MethodCatalog;
import io.compactor.core.plan.OperatorPlan;
import io.compactor.core.plan.Plan;
import io.compactor.core.plan.Planner;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the operators the search may change, by asking the planner (and through it the installed providers'
 * eligibility checks) what every allowed method would do with the base configuration's skip lists and overrides in
 * place. The INT8 probe opts embedding tables in ({@code override_layer_types} Gather), so a table is a candidate
 * wherever the installed INT8 provider serves it.
 */
final class Operators {
  private Operators() {}

  /**
   * @param model the model
   * @param catalog the installed providers
   * @param base the base configuration (its skip lists hold operators out)
   * @param space the allowed methods
   * @return every operator at least one allowed method would compress, in topological order
   */
  static List<Operator> discover(OnnxModel model, MethodCatalog catalog, AMCTRetrainConfig base, SearchSpace space) {
    Map<String, Operator> found = new LinkedHashMap<>();
    TunedConfig probe = new TunedConfig(base, model.graph(), List.of());
    // one probe per sparsity kind (a file holds one), INT8 in the first
    Plan twoOfFour = plan(model, catalog, probe, space.twoOfFour() ? Choice.Sparsity.TWO_OF_FOUR : Choice.Sparsity.NONE,
        !space.int8().isEmpty());
    Plan filter = plan(model, catalog, probe, space.filter() ? Choice.Sparsity.FILTER : Choice.Sparsity.NONE, false);
    for (OperatorPlan op : twoOfFour.operators()) {
      boolean f = filter.operator(op.node()).map(o -> o.sparsity().applied()).orElse(false);
      boolean t = space.twoOfFour() && op.sparsity().applied();
      boolean q = !space.int8().isEmpty() && op.quantization().applied();
      if (t || f || q) {
        found.put(op.node(), new Operator(op.node(), op.opType(), weights(model, op.node()), t, f, q));
      }
    }
    return new ArrayList<>(found.values());
  }

  /** A plan of the probe: every operator gets {@code sparsity} (and INT8), the base's skip lists hold. */
  private static Plan plan(OnnxModel model, MethodCatalog catalog, TunedConfig probe, Choice.Sparsity sparsity,
      boolean int8) {
    if (sparsity == Choice.Sparsity.NONE && !int8) {
      return new Plan(model.source(), "probe", List.of(), List.of());
    }
    Choice all = new Choice(sparsity, sparsity == Choice.Sparsity.FILTER ? 0.5 : 0,
        int8 ? Choice.Quant.STATIC : Choice.Quant.NONE);
    boolean tables = model.graph().nodes().stream().anyMatch(n -> Compressible.table(model.graph(), n));
    AMCTRetrainConfig config = probe.buildGlobal(all, tables);
    // the base's overrides are in the probe: a problem with them is reported as the base's
    ConfigFile file = ConfigFile.parse(ConfigWriter.text(config, List.of()), ConfigFormat.TEXT,
        "--config (the base, every allowed method on)");
    return new Planner(catalog).plan(model, file);
  }

  private static long weights(OnnxModel model, String node) {
    return model.graph().node(node).filter(n -> n.inputs().size() > 1)
        .flatMap(n -> model.graph().initializerShape(n.input(weightInput(n.opType()))))
        .map(Tensor::elementCount).orElse(0L);
  }

  /** @return the input holding the constant: a table's Gather reads it first (its indices second) */
  static int weightInput(String opType) {
    return opType.equals(Compressible.TABLE) ? 0 : 1;
  }
}
